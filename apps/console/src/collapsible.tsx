import type { ComponentChildren } from 'preact';

// Where forms fold away behind their button (the phone layout's breakpoint in style.css).
const NARROW = '(max-width: 640px)';

/**
 * A form or a set of filters that, on a phone, folds behind its own button so a page is the
 * obligation first and its forms on demand; on a wider screen it starts open.
 */
export function Collapsible({
  label,
  children,
  testId,
}: {
  label: string;
  children: ComponentChildren;
  testId?: string;
}) {
  const narrow = typeof matchMedia === 'function' && matchMedia(NARROW).matches;
  return (
    <details class="collapsible" open={!narrow} data-testid={testId}>
      <summary>{label}</summary>
      {children}
    </details>
  );
}
