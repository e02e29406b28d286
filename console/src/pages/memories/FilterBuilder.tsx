import { useId } from 'react';
import { Button, Input, Select } from '../../ui/kit';
import { FILTER_FIELDS, FILTER_OPERATORS } from './filters';
import type { Combinator, FilterOperator, FilterRow } from './filters';

/** Rows of field / operator / value, joined by AND or OR (the JSON it makes is shown beside it). */
export function FilterBuilder({
  rows,
  combinator,
  onChange,
}: {
  rows: FilterRow[];
  combinator: Combinator;
  onChange: (rows: FilterRow[], combinator: Combinator) => void;
}) {
  const fieldsId = useId();
  const update = (i: number, patch: Partial<FilterRow>) =>
    onChange(
      rows.map((row, j) => (j === i ? { ...row, ...patch } : row)),
      combinator,
    );

  return (
    <fieldset className="filter-builder">
      <legend>Filters</legend>
      <datalist id={fieldsId}>
        {FILTER_FIELDS.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      {rows.length > 1 ? (
        <label className="row small">
          Match
          <Select
            value={combinator}
            onChange={(e) => onChange(rows, e.target.value as Combinator)}
            aria-label="Combine filters with"
            className="input narrow"
          >
            <option value="AND">all (AND)</option>
            <option value="OR">any (OR)</option>
          </Select>
        </label>
      ) : null}
      {rows.map((row, i) => (
        <div className="filter-row" key={i} data-testid="filter-row">
          <Input
            aria-label={`Filter ${i + 1} field`}
            placeholder="field or metadata key"
            list={fieldsId}
            value={row.field}
            onChange={(e) => update(i, { field: e.target.value })}
          />
          <Select
            aria-label={`Filter ${i + 1} operator`}
            value={row.op}
            onChange={(e) => update(i, { op: e.target.value as FilterOperator })}
          >
            {FILTER_OPERATORS.map((op) => (
              <option key={op} value={op}>
                {op}
              </option>
            ))}
          </Select>
          <Input
            aria-label={`Filter ${i + 1} value`}
            placeholder={row.op === 'in' || row.op === 'nin' ? 'a, b, c' : 'value (JSON or text)'}
            value={row.value}
            onChange={(e) => update(i, { value: e.target.value })}
          />
          <Button
            variant="ghost"
            aria-label={`Remove filter ${i + 1}`}
            onClick={() =>
              onChange(
                rows.filter((_, j) => j !== i),
                combinator,
              )
            }
          >
            ✕
          </Button>
        </div>
      ))}
      <div>
        <Button onClick={() => onChange([...rows, { field: '', op: 'eq', value: '' }], combinator)}>Add filter</Button>
      </div>
    </fieldset>
  );
}
