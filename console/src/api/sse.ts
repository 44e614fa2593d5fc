// Server-Sent Events from a fetch response (EventSource cannot POST nor send a bearer token):
// each event's name (null when it has none) and its data lines joined, as they arrive.
export async function readEvents(res: Response, onEvent: (event: string | null, data: string) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
      if (data) onEvent(/^event: (.+)$/m.exec(block)?.[1] ?? null, data);
    }
  }
}
