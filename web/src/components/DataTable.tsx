/**
 * The one list table of the UI: loading, error, empty state, then a bordered table whose rows may open a page
 * (the whole row is clickable; the name cell stays a real link). Columns are data: a header and a cell renderer.
 */
import type { ReactNode } from 'react';
import { Anchor, Loader, Paper, Table, Text, type TableProps, type TableTdProps, type TableThProps, type TableTrProps } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { ErrorAlert } from './ErrorAlert.tsx';
import { formatDate } from './format.ts';

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Numbers: right-aligned, tabular figures. */
  numeric?: boolean;
  /** Extra props of the header and body cells (width, no-wrap, test ids…). */
  th?: TableThProps;
  td?: (row: T) => TableTdProps & Record<`data-${string}`, string | undefined>;
}

type RowAttrs = TableTrProps & Record<`data-${string}`, string | number | undefined>;

export interface DataTableProps<T> {
  /** A list query ({items}): its rows, loader and error; or give rows (and loading, error) yourself. */
  query?: { data?: { items: readonly T[] }; error: unknown; isPending: boolean };
  rows?: readonly T[] | undefined;
  columns: ReadonlyArray<Column<T>>;
  rowKey: (row: T) => string;
  /** Shown instead of the table when rows is an empty list; without it an empty list shows the bare table. */
  empty?: ReactNode;
  loading?: boolean;
  error?: unknown;
  errorTitle?: string;
  /** Where a click on the row goes. */
  href?: (row: T) => string;
  rowAttrs?: (row: T) => RowAttrs;
  minWidth?: number;
  'data-testid'?: string;
  /** Default 'sm' in a paper frame, Mantine's own otherwise. */
  verticalSpacing?: 'xs' | 'sm' | 'md';
  highlightOnHover?: boolean;
  /** 'paper' (default): a bordered, scrolling card for full-page lists; 'scroll': scrolling only; 'none': the table alone. */
  frame?: 'paper' | 'scroll' | 'none';
  /** Extra props of the Mantine Table (striped, withTableBorder, fz…). */
  tableProps?: TableProps;
}

export function DataTable<T>({ query, rows = query?.data?.items, columns, rowKey, empty, loading = query?.isPending, error = query?.error, errorTitle, href, rowAttrs, minWidth = 640, verticalSpacing, highlightOnHover = true, frame = 'paper', tableProps, 'data-testid': testId }: DataTableProps<T>) {
  const navigate = useNavigate();
  // No empty state, or loading without a loader: the table (header first, rows as they come).
  const showTable = (rows !== undefined && rows.length > 0) || empty === undefined || (rows === undefined && loading === undefined);
  const table = (
    <Table highlightOnHover={highlightOnHover} verticalSpacing={verticalSpacing ?? (frame === 'paper' ? 'sm' : undefined)} data-testid={testId} {...tableProps}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c, i) => (
            <Table.Th key={i} ta={c.numeric ? 'right' : undefined} {...c.th}>
              {c.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(rows ?? []).map((row) => {
          const to = href?.(row);
          return (
            <Table.Tr key={rowKey(row)} className={to ? 'sb-row-link' : undefined} onClick={to ? () => navigate(to) : undefined} {...rowAttrs?.(row)}>
              {columns.map((c, i) => (
                <Table.Td key={i} ta={c.numeric ? 'right' : undefined} className={c.numeric ? 'sb-num' : undefined} {...c.td?.(row)}>
                  {c.cell(row)}
                </Table.Td>
              ))}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
  return (
    <>
      {loading && <Loader />}
      {Boolean(error) && <ErrorAlert error={error} title={errorTitle} />}
      {rows && rows.length === 0 && empty}
      {showTable && frame === 'none' && table}
      {showTable && frame === 'paper' && (
        <TableCard minWidth={minWidth}>{table}</TableCard>
      )}
      {showTable && frame === 'scroll' && <Table.ScrollContainer minWidth={minWidth}>{table}</Table.ScrollContainer>}
    </>
  );
}

/** The bordered card a wide table scrolls in (with an optional header above the table, e.g. a filter). */
export function TableCard({ minWidth, maxHeight, header, p, children }: { minWidth: number; maxHeight?: number; header?: ReactNode; p?: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p={p}>
      {header}
      <Table.ScrollContainer minWidth={minWidth} maxHeight={maxHeight}>
        {children}
      </Table.ScrollContainer>
    </Paper>
  );
}

/** The name cell of a clickable row: a real link that does not also trigger the row's click. */
export function RowLink({ to, children, ...rest }: { to: string; children: ReactNode; size?: string; 'data-testid'?: string }) {
  return (
    <Anchor component={Link} to={to} fw={600} onClick={(e) => e.stopPropagation()} {...rest}>
      {children}
    </Anchor>
  );
}

/** "name:version" with the version dimmed. */
export function NameVersion({ to, name, version }: { to: string; name: string; version: number }) {
  return (
    <>
      <RowLink to={to}>{name}</RowLink>
      <Text span c="dimmed">
        :{version}
      </Text>
    </>
  );
}

/** A dimmed date (or any dimmed small text) cell. */
export function Dimmed({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="dimmed">
      {children}
    </Text>
  );
}

export const createdColumn = <T extends { createdAt: string }>(): Column<T> => ({ header: 'Created', cell: (r) => <Dimmed>{formatDate(r.createdAt)}</Dimmed> });
