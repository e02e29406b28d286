import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, rawFetch, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { Badge, Button, Empty, ErrorNote, Field, Input, Loading, TextArea } from '../../ui/kit';
import { applyTurnEvent, EMPTY_CHAT, itemsOfLog, userItem } from './chat-state';
import type { ChatItem, ChatState, TurnEvent } from './chat-state';
import { postSse } from './sse';

const HISTORY = 30;

/**
 * A conversation with the agent as one end user (`userId`): each turn is streamed over SSE
 * (POST …/messages/stream), its text shown as it arrives, tool calls inline, and beside it the
 * long-term memories the turn's prompt held. Sending writes messages: members and up only.
 */
export function ChatPanel({ agentId }: { agentId: string }) {
  const session = useSession();
  const queries = useQueryClient();
  const [userId, setUserId] = useState('console-user');
  /** The user whose earlier conversation is shown: the field's value once the field is left. */
  const [shownUser, setShownUser] = useState('console-user');
  const [draft, setDraft] = useState('');
  const [chat, setChat] = useState<ChatState>(EMPTY_CHAT);
  const abort = useRef<AbortController | null>(null);
  const logEnd = useRef<HTMLDivElement>(null);
  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => {
    logEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [chat.items]);

  // The last messages of this user's conversation, loaded once per user: the turns sent here follow them.
  const earlier = useQuery({
    queryKey: ['chat-history', agentId, shownUser],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/agents/{id}/messages', {
          params: { path: { id: agentId }, query: { userId: shownUser, order: 'desc', limit: HISTORY } },
        }),
      ),
    enabled: shownUser !== '',
    staleTime: Infinity,
  });
  const showUser = () => {
    const next = userId.trim() === '' ? '' : userId;
    if (next === shownUser) return;
    setShownUser(next);
    setChat(EMPTY_CHAT);
  };
  const history = earlier.data ? itemsOfLog([...earlier.data.data].reverse()) : [];

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const content = draft.trim();
    if (!content || chat.streaming) return;
    showUser();
    setDraft('');
    setChat((c) => ({ ...c, items: [...c.items, userItem(content)], streaming: true, error: null, usage: null }));
    const controller = new AbortController();
    abort.current = controller;
    let ended = false;
    try {
      await postSse(
        () =>
          rawFetch(`/api/v1/agents/${encodeURIComponent(agentId)}/messages/stream`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
            body: JSON.stringify({ messages: [{ role: 'user', content }], ...(userId.trim() ? { userId } : {}) }),
            signal: controller.signal,
          }),
        (frame) => {
          let event: TurnEvent;
          try {
            event = JSON.parse(frame.data) as TurnEvent;
          } catch {
            return;
          }
          if (event.type === 'done' || event.type === 'error') ended = true;
          setChat((c) => applyTurnEvent(c, event));
        },
        controller.signal,
      );
      // A stream cut short (a proxy's timeout, a restart) ends without `done` or `error`.
      if (!ended && !controller.signal.aborted)
        throw new Error('The connection ended before the turn did; reload the conversation to see what was stored');
      setChat((c) => (c.streaming ? { ...c, streaming: false } : c));
    } catch (error) {
      if (controller.signal.aborted) return;
      setChat((c) => ({ ...c, streaming: false, error }));
    } finally {
      void queries.invalidateQueries({ queryKey: ['agent', agentId] });
    }
  };

  const canSend = session.can('member');
  return (
    <div className="grid-2 chat">
      <div className="card stack">
        <div className="row">
          <Field label="User id" hint="whose conversation and memories">
            <Input
              value={userId}
              onChange={(e) => setUserId(e.target.value)}
              onBlur={showUser}
              disabled={chat.streaming}
              className="input chat-user"
            />
          </Field>
          <Button
            variant="ghost"
            onClick={() => {
              setChat(EMPTY_CHAT);
              void queries.invalidateQueries({ queryKey: ['chat-history', agentId, shownUser] });
            }}
            disabled={chat.streaming || shownUser === ''}
          >
            Reload conversation
          </Button>
        </div>
        <div className="chat-log" aria-live="polite" aria-busy={chat.streaming} data-testid="chat-log">
          {earlier.isLoading ? <Loading label="Loading the conversation…" /> : null}
          {earlier.data?.nextCursor ? <p className="muted small">Older messages are in the conversation log.</p> : null}
          {history.map((item) => (
            <ChatBubble key={item.key} item={item} />
          ))}
          {chat.items.length === 0 && history.length === 0 && !earlier.isLoading ? (
            <Empty>No messages with this user yet.</Empty>
          ) : null}
          {chat.items.map((item) => (
            <ChatBubble key={item.key} item={item} />
          ))}
          <div ref={logEnd} />
        </div>
        {chat.streaming ? (
          <span className="muted small" role="status">
            The agent is answering…
          </span>
        ) : null}
        {chat.usage ? (
          <span className="muted small" data-testid="chat-usage">
            {chat.usage.promptTokens} prompt + {chat.usage.completionTokens} completion tokens, {chat.usage.steps} step
            {chat.usage.steps === 1 ? '' : 's'}
          </span>
        ) : null}
        <ErrorNote error={chat.error ?? earlier.error} />
        {canSend ? (
          <form className="stack" onSubmit={(e) => void send(e)}>
            <Field label="Message">
              <TextArea
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                rows={3}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    e.currentTarget.form?.requestSubmit();
                  }
                }}
              />
            </Field>
            <div className="row end">
              <Button type="submit" variant="primary" disabled={chat.streaming || !draft.trim()}>
                Send
              </Button>
            </div>
          </form>
        ) : (
          <p className="muted small">Viewers can read the conversation log but not talk to the agent.</p>
        )}
      </div>
      <aside className="card stack" aria-label="Memories in the prompt">
        <h3>Memories in the prompt</h3>
        {chat.memories === null ? (
          <p className="muted small">The long-term memories of this user that the next turn puts in its prompt.</p>
        ) : chat.memories.length === 0 ? (
          <p className="muted small">No memories of this user matched.</p>
        ) : (
          <ul className="chat-memories" data-testid="chat-memories">
            {chat.memories.map((m) => (
              <li key={m.id}>
                <Link to={`/memories/${m.id}`}>{m.memory}</Link>{' '}
                <span className="muted small mono">{m.score.toFixed(3)}</span>
              </li>
            ))}
          </ul>
        )}
      </aside>
    </div>
  );
}

function ChatBubble({ item }: { item: ChatItem }) {
  if (item.kind === 'user')
    return (
      <div className="bubble bubble-user" data-testid="user-bubble">
        {item.text}
      </div>
    );
  if (item.kind === 'assistant')
    return (
      <div className="bubble bubble-assistant" data-testid="assistant-bubble" data-open={item.open}>
        {item.text}
        {item.open ? <span className="chat-caret" aria-hidden="true" /> : null}
      </div>
    );
  return (
    <div className="bubble bubble-tool" data-testid="tool-call">
      <div className="row">
        <span>
          ⚙ <strong>{item.name}</strong>
        </span>
        {item.status ? <Badge tone={item.status === 'ok' ? 'good' : 'bad'}>{item.status}</Badge> : null}
        {!item.status && item.result === undefined ? <Badge tone="info">running</Badge> : null}
      </div>
      <pre className="chat-json">{JSON.stringify(item.arguments, null, 2)}</pre>
      {item.status || item.result !== undefined ? (
        <pre className="chat-json" data-testid="tool-result">
          → {item.status === 'error' ? item.error : JSON.stringify(item.result, null, 2)}
        </pre>
      ) : null}
    </div>
  );
}
