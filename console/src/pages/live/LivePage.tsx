import { useCallback, useRef, useState } from 'react';
import { useLiveConnected, useLiveEvent } from '../../live/hooks';
import { LIVE_EVENT_NAMES } from '../../live/socket';
import type { LiveEvent, LiveEventName } from '../../live/socket';
import { Badge, Button, Empty, PageHeader } from '../../ui/kit';
import { summarize } from './summary';
import './live.css';

/** How many events the page keeps (the newest). */
const KEEP = 500;

interface Shown {
  seq: number;
  event: LiveEvent;
}

const TONE: Record<LiveEventName, 'neutral' | 'good' | 'warn' | 'bad' | 'info'> = {
  memory_update: 'info',
  agent_update: 'neutral',
  job_progress: 'good',
  message: 'neutral',
  llm_chunk: 'neutral',
  error: 'bad',
};

/**
 * The organization's events as they arrive, newest first. While paused, arriving events are held
 * (and counted) and join the list on resume; the kind filter only hides, it drops nothing.
 */
export function LivePage() {
  const connected = useLiveConnected();
  const [events, setEvents] = useState<Shown[]>([]);
  const [held, setHeld] = useState<Shown[]>([]);
  // Every event that arrived while paused (held keeps only the newest KEEP of them).
  const [heldCount, setHeldCount] = useState(0);
  const [paused, setPaused] = useState(false);
  const [kinds, setKinds] = useState<Set<LiveEventName>>(() => new Set(LIVE_EVENT_NAMES));
  const seq = useRef(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const onEvent = useCallback((event: LiveEvent) => {
    const shown = { seq: ++seq.current, event };
    if (pausedRef.current) {
      setHeld((h) => [shown, ...h].slice(0, KEEP));
      setHeldCount((n) => n + 1);
    } else setEvents((list) => [shown, ...list].slice(0, KEEP));
  }, []);
  useLiveEvent(null, onEvent);

  const resume = () => {
    setEvents((list) => [...held, ...list].slice(0, KEEP));
    setHeld([]);
    setHeldCount(0);
    setPaused(false);
  };
  const toggleKind = (kind: LiveEventName) =>
    setKinds((k) => {
      const next = new Set(k);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });
  const visible = events.filter((e) => kinds.has(e.event.type));

  return (
    <div className="stack">
      <PageHeader
        title="Live"
        actions={
          <>
            <span data-testid="live-status">
              <Badge tone={connected ? 'good' : 'warn'}>{connected ? 'Connected' : 'Disconnected'}</Badge>
            </span>
            {paused ? (
              <Button variant="primary" onClick={resume}>
                Resume{heldCount ? ` (${heldCount} new)` : ''}
              </Button>
            ) : (
              <Button onClick={() => setPaused(true)}>Pause</Button>
            )}
            <Button variant="ghost" onClick={() => setEvents([])} disabled={!events.length}>
              Clear
            </Button>
          </>
        }
      />
      <fieldset className="card live-kinds">
        <legend>Show kinds</legend>
        {LIVE_EVENT_NAMES.map((kind) => (
          <label key={kind} className="row live-kind">
            <input type="checkbox" checked={kinds.has(kind)} onChange={() => toggleKind(kind)} />
            {kind}
          </label>
        ))}
      </fieldset>
      {paused ? (
        <div className="note note-info" role="status" data-testid="held-count">
          Paused: {heldCount} new {heldCount === 1 ? 'event' : 'events'} arrived
          {heldCount > KEEP ? ` (the newest ${KEEP} are kept)` : ''}; they are shown when you resume.
        </div>
      ) : null}
      <p className="muted small">
        Showing {visible.length} of the last {events.length} events (at most {KEEP} are kept). message and llm_chunk
        events come from agents you follow in this console (an open agent conversation).
      </p>
      {visible.length === 0 ? (
        <Empty>No events yet. Changes in your organization appear here as they happen.</Empty>
      ) : (
        <ol className="live-list" aria-label="Events" data-testid="live-events">
          {visible.map(({ seq: n, event }) => (
            <li key={n} className="card live-event" data-kind={event.type}>
              <details>
                <summary>
                  <time dateTime={event.timestamp} className="mono small muted">
                    {new Date(event.timestamp).toLocaleTimeString()}
                  </time>{' '}
                  <Badge tone={TONE[event.type] ?? 'neutral'}>{event.type}</Badge>{' '}
                  <span className="live-summary">{summarize(event)}</span>
                </summary>
                <pre className="live-json">{JSON.stringify(event, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
