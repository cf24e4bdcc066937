import type { ReactNode } from 'react';

export function Badge({ className, children, ...rest }: { className: string; children: ReactNode } & Record<`data-${string}`, string>) {
  return (
    <span
      className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}
      {...rest}
    >
      {children}
    </span>
  );
}
