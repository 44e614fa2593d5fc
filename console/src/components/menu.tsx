// A dropdown menu: a button that opens a list of actions; closes on Escape, outside click or
// after an action. Arrow keys move between items.
import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

type MenuProps = {
  /** Content of the trigger button. */
  trigger: ReactNode;
  triggerLabel?: string;
  triggerClassName?: string;
  align?: 'start' | 'end';
  placement?: 'below' | 'above';
  className?: string;
  children: (close: () => void) => ReactNode;
};

export function Menu({ trigger, triggerLabel, triggerClassName = 'btn btn-ghost', align = 'end', placement = 'below', className, children }: MenuProps) {
  const [isOpen, setIsOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const close = () => setIsOpen(false);

  useEffect(() => {
    if (!isOpen) return;
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setIsOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    const first = root.current?.querySelector<HTMLElement>('[role="menuitem"]');
    first?.focus();
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [isOpen]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!isOpen) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      setIsOpen(false);
      button.current?.focus();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const next = event.key === 'ArrowDown' ? (index + 1) % items.length : (index - 1 + items.length) % items.length;
    items[next]?.focus();
  };

  return (
    <div className={`menu${className ? ` ${className}` : ''}`} ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className={triggerClassName}
        aria-haspopup="menu"
        aria-expanded={isOpen}
        aria-controls={isOpen ? menuId : undefined}
        aria-label={triggerLabel}
        onClick={() => setIsOpen((v) => !v)}
      >
        {trigger}
      </button>
      {isOpen ? (
        <div id={menuId} role="menu" className={`menu-popover menu-${align} menu-${placement}`}>
          {children(() => {
            close();
            button.current?.focus();
          })}
        </div>
      ) : null}
    </div>
  );
}

export function MenuItem({ onSelect, children, tone, disabled }: { onSelect: () => void; children: ReactNode; tone?: 'danger'; disabled?: boolean }) {
  return (
    <button type="button" role="menuitem" className={`menu-item${tone ? ` menu-item-${tone}` : ''}`} onClick={onSelect} disabled={disabled} tabIndex={-1}>
      {children}
    </button>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <div className="menu-label">{children}</div>;
}

export function MenuSeparator() {
  return <div className="menu-separator" role="separator" />;
}
