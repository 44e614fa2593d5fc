// The invitation mail: plain text and a small HTML version with the accept link.
export type InvitationMail = { subject: string; text: string; html: string };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function composeInvitationMail(input: { workspaceName: string; inviterName: string; role: string; acceptUrl: string; expiresAt: Date }): InvitationMail {
  const expires = input.expiresAt.toISOString().slice(0, 10);
  const subject = `${input.inviterName} invited you to ${input.workspaceName} on Atrium`;
  const text = [
    `${input.inviterName} invited you to join the workspace "${input.workspaceName}" on Atrium as ${input.role}.`,
    '',
    `Accept the invitation: ${input.acceptUrl}`,
    '',
    `The link works once and expires on ${expires}. If you did not expect this invitation, ignore this mail.`,
  ].join('\n');
  const html = `<p>${escapeHtml(input.inviterName)} invited you to join the workspace <strong>${escapeHtml(input.workspaceName)}</strong> on Atrium as ${escapeHtml(input.role)}.</p>
<p><a href="${escapeHtml(input.acceptUrl)}">Accept the invitation</a></p>
<p style="color:#666">The link works once and expires on ${expires}. If you did not expect this invitation, ignore this mail.</p>`;
  return { subject, text, html };
}
