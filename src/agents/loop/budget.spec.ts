import type { MessageSize } from '../messages/message.repository.js';
import { chooseHistory, fitMemories, room, safetyMargin } from './budget.js';

const limits = { window: 1000, replyTokens: 100, toolTokens: 50 };

/** User messages of these sizes, oldest first; returned newest first, as the repository does. */
function conversation(...tokens: number[]): MessageSize[] {
  return tokens.map((t, i): MessageSize => ({ id: String(i + 1), role: 'user', tokens: t, requestId: null })).reverse();
}

describe('the context budget', () => {
  it('leaves the reply, a margin that grows with the window, and the tools out of the room', () => {
    expect(safetyMargin(1000)).toBe(84);
    expect(room(limits, 200)).toBe(1000 - 100 - 84 - 50 - 200);
  });

  it('drops the least relevant memories first until the system prompt fits, and refuses when nothing does', () => {
    const tokens = (kept: number[]) => 100 + kept.reduce((a, b) => a + b, 0);
    expect(fitMemories([50, 40, 30], tokens, 200)).toEqual([50, 40]);
    expect(fitMemories([50, 40, 30], tokens, 1000)).toEqual([50, 40, 30]);
    expect(fitMemories([50], tokens, 120)).toEqual([]);
    expect(fitMemories([50], tokens, 99)).toBeNull();
  });

  it("counts the note of left-out messages in the system prompt: the history is chosen again with the note's size", () => {
    // Room without the note: 1000-100-84-50-100 = 666, so messages 2..5 (4 x 160 = 640) fit and 1 is left out.
    const c = conversation(160, 160, 160, 160, 160);
    const system = (omitted: number) => (omitted > 0 ? 130 : 100);
    // With the note (30 tokens more) 636 are left: messages 3..5.
    expect(chooseHistory(c, limits, system, new Set(['5']))).toEqual({ ids: ['3', '4', '5'], omitted: 2, tokens: 480 });
    expect(chooseHistory(conversation(10, 10), limits, system, new Set(['2']))).toEqual({
      ids: ['1', '2'],
      omitted: 0,
      tokens: 20,
    });
  });
});
