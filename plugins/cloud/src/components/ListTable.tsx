import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { ChangeEvent, useState } from 'react';
import { CursorPages, ShowMore } from './useCursorPages';

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

/**
 * A table of a list the server pages, filtered there too: the rows of the
 * pages read so far, and "Show more" while more follow.
 */
export function ListTable<T extends object>(props: {
  title: string;
  columns: TableColumn<T>[];
  pages: CursorPages<T>;
}) {
  const { title, columns, pages } = props;
  if (pages.error) {
    return <ResponseErrorPanel error={pages.error} />;
  }
  return (
    <>
      <Table<T>
        title={title}
        isLoading={pages.loading}
        columns={columns}
        data={pages.items}
        // the search box narrows the rows read so far; the filters above
        // the table go to the server
        options={{ paging: false, search: true }}
      />
      <ShowMore
        more={pages.more}
        errorTitle={`More ${title.toLocaleLowerCase(
          'en-US',
        )} could not be loaded`}
      />
    </>
  );
}
