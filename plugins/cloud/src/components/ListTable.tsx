import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { ChangeEvent, useState } from 'react';

/**
 * Filter values of a list page, each set from a text field or select; an
 * empty value removes the filter.
 */
export function useListFilter<F extends object>() {
  const [filter, setFilter] = useState<F>({} as F);
  const set = (key: keyof F) => (event: ChangeEvent<{ value: unknown }>) =>
    setFilter(f => ({
      ...f,
      [key]: (event.target.value as string) || undefined,
    }));
  return { filter, set };
}

/** A paged table of a loading list, or the error that loading it gave. */
export function ListTable<T extends object>(props: {
  title: string;
  columns: TableColumn<T>[];
  state: { loading: boolean; error?: Error; value?: T[] };
}) {
  const { title, columns, state } = props;
  if (state.error) {
    return <ResponseErrorPanel error={state.error} />;
  }
  return (
    <Table<T>
      title={title}
      isLoading={state.loading}
      columns={columns}
      data={state.value ?? []}
      options={{ paging: true, pageSize: 20, search: true }}
    />
  );
}
