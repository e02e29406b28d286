import { diffWords } from 'diff';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { HistoryEntry } from '../../api/types';
import { useSession } from '../../auth/session';
import { Badge, ErrorNote, Loading, formatTime } from '../../ui/kit';
import { memoryKeys } from './api';

/** The words an UPDATE removed (<del>) and added (<ins>), in the text's order. */
export function WordDiff({ before, after }: { before: string; after: string }) {
  return (
    <p className="diff" data-testid="history-diff">
      {diffWords(before, after).map((part, i) =>
        part.added ? (
          <ins key={i} className="diff-add">
            {part.value}
          </ins>
        ) : part.removed ? (
          <del key={i} className="diff-del">
            {part.value}
          </del>
        ) : (
          <span key={i}>{part.value}</span>
        ),
      )}
    </p>
  );
}

const TONE = { ADD: 'good', UPDATE: 'info', DELETE: 'bad' } as const;

function Entry({ entry, me }: { entry: HistoryEntry; me: string | null }) {
  return (
    <li className="history-entry" data-testid="history-entry">
      <div className="row small">
        <Badge tone={TONE[entry.event]}>{entry.event}</Badge>
        <span className="mono" title="Who made the change">
          {entry.actor}
        </span>
        {entry.actor === me ? <span className="muted">(you)</span> : null}
        <time className="muted" dateTime={entry.createdAt}>
          {formatTime(entry.createdAt)}
        </time>
      </div>
      {entry.event === 'UPDATE' && entry.oldContent !== null && entry.newContent !== null ? (
        <WordDiff before={entry.oldContent} after={entry.newContent} />
      ) : entry.event === 'DELETE' ? (
        <p className="diff">
          <del className="diff-del">{entry.oldContent ?? entry.newContent}</del>
        </p>
      ) : (
        <p className="diff">{entry.newContent}</p>
      )}
    </li>
  );
}

/** Every version of a memory, newest first: who changed it, when, and the words that changed. */
export function HistoryList({ id }: { id: string }) {
  const session = useSession();
  const me = session.me?.apiKey
    ? `api_key:${session.me.apiKey.id}`
    : session.me?.user
      ? `user:${session.me.user.id}`
      : null;
  const history = useQuery({
    queryKey: memoryKeys.history(id),
    queryFn: () => unwrap(api.GET('/api/v1/memories/{id}/history', { params: { path: { id } } })),
  });
  return (
    <section className="card stack" aria-label="History">
      <h2>History</h2>
      {history.isPending ? <Loading /> : null}
      <ErrorNote error={history.error} />
      <ol className="history">
        {[...(history.data?.data ?? [])].reverse().map((entry) => (
          <Entry key={entry.id} entry={entry} me={me} />
        ))}
      </ol>
    </section>
  );
}
