import type { User } from '../identity/index.ts';
import type { Workspace } from '../tenancy/index.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function welcomeMail(input: { user: User; workspace: Workspace; publicUrl: string }): { subject: string; text: string; html: string } {
  const { user, workspace } = input;
  const url = `${input.publicUrl.replace(/\/+$/, '')}/`;
  const greeting = user.name ? `Hello ${user.name},` : 'Hello,';
  return {
    subject: `Welcome to Atrium: ${workspace.name} is ready`,
    text: [
      greeting,
      '',
      `Your workspace "${workspace.name}" (${workspace.slug}) is ready. You are its owner.`,
      `Sign in at ${url} with ${user.email} to invite your team and create API keys.`,
      '',
      '— Atrium',
    ].join('\n'),
    html: [
      `<p>${escapeHtml(greeting)}</p>`,
      `<p>Your workspace <strong>${escapeHtml(workspace.name)}</strong> (<code>${escapeHtml(workspace.slug)}</code>) is ready. You are its owner.</p>`,
      `<p><a href="${escapeHtml(url)}">Sign in</a> with ${escapeHtml(user.email)} to invite your team and create API keys.</p>`,
      '<p>— Atrium</p>',
    ].join('\n'),
  };
}
