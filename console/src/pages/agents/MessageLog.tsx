import { useEffect, useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { useLiveEvent } from '../../live/hooks';
import { followAgent } from '../../live/socket';
import { Badge, Button, Empty, ErrorNote, Field, Input, Loading, formatTime } from '../../ui/kit';

const PAGE = 50;

/** The agent's stored conversation, newest first, a page at a time; new messages arrive live. */
export function MessageLog({ agentId }: { agentId: string }) {
  const queries = useQueryClient();
  const [userId, setUserId] = useState('');
  const filter = userId.trim();
  const key = ['agent', agentId, 'messages', filter];
  const log = useInfiniteQuery({
    queryKey: key,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/agents/{id}/messages', {
          params: {
            path: { id: agentId },
            query: {
              limit: PAGE,
              order: 'desc',
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(filter ? { userId: filter } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  useEffect(() => followAgent(agentId), [agentId]);
  useLiveEvent(['message'], (event) => {
    if (event.agent_id === agentId) void queries.invalidateQueries({ queryKey: ['agent', agentId, 'messages'] });
  });
  const messages = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="card stack">
      <div className="row">
        <Field label="Only user id">
          <Input value={userId} onChange={(e) => setUserId(e.target.value)} placeholder="all users" />
        </Field>
      </div>
      {log.isPending ? <Loading /> : null}
      <ErrorNote error={log.error} />
      {!log.isPending && messages.length === 0 ? <Empty>No messages yet.</Empty> : null}
      {messages.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="message-log">
            <thead>
              <tr>
                <th>When</th>
                <th>Role</th>
                <th>User</th>
                <th>Content</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={m.id}>
                  <td className="small nowrap">{formatTime(m.createdAt)}</td>
                  <td>
                    <Badge tone={m.role === 'assistant' ? 'info' : m.role === 'tool' ? 'warn' : 'neutral'}>
                      {m.role}
                    </Badge>
                  </td>
                  <td className="mono small">{m.userId ?? '—'}</td>
                  <td>
                    {m.toolName ? <div className="mono small">⚙ {m.toolName}</div> : null}
                    {m.toolCalls?.map((c) => (
                      <div key={c.id} className="mono small">
                        ⚙ {c.name}({JSON.stringify(c.arguments)})
                      </div>
                    ))}
                    <pre className="log-content">{m.content}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {log.hasNextPage ? (
        <div className="row end">
          <Button onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
            Older messages
          </Button>
        </div>
      ) : null}
    </div>
  );
}
