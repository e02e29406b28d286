/** JSON Lines of `n` distinct memories over ten users. */
export function importLines(n: number, tag = 'fact'): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i += 1)
    lines.push(
      JSON.stringify({
        content: `${tag} number ${i} about topic ${i % 97}`,
        userId: `user-${i % 10}`,
        metadata: { i },
      }),
    );
  return `${lines.join('\n')}\n`;
}
