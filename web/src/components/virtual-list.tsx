/**
 * A list that renders only the rows in view (TanStack Virtual's framework-free core, driven from Preact), so that
 * ten thousand warnings scroll as smoothly as ten.
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useReducer, useRef } from 'preact/hooks';

export function VirtualList<T>(props: {
  items: readonly T[];
  rowHeight: number;
  label: string;
  render: (item: T, index: number) => ComponentChildren;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const virtualizer = useMemo(
    () =>
      new Virtualizer<HTMLDivElement, HTMLDivElement>({
        count: props.items.length,
        getScrollElement: () => scroller.current,
        estimateSize: () => props.rowHeight,
        observeElementRect,
        observeElementOffset,
        scrollToFn: elementScroll,
        // A few rows beyond the view: enough for smooth wheel scrolling, few enough that a page jump stays cheap.
        overscan: 4,
        onChange: () => rerender(undefined),
      }),
    [],
  );
  virtualizer.setOptions({ ...virtualizer.options, count: props.items.length });
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());
  // The scroller holds the list; the rows' links are what keyboard users move through (Tab scrolls them into
  // view, and PageUp/PageDown scroll from a focused row), so the scroller itself needs no tab stop.
  return (
    <div ref={scroller} class="virtual-list" data-testid="warning-list">
      <ul aria-label={props.label} style={{ height: `${virtualizer.getTotalSize()}px` }}>
        {virtualizer.getVirtualItems().map((row) => {
          const item = props.items[row.index];
          return item === undefined ? null : (
            <li
              key={row.key}
              class="virtual-row"
              style={{ height: `${row.size}px`, transform: `translateY(${row.start}px)` }}
            >
              {props.render(item, row.index)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
