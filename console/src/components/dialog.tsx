// Modal dialogs on the native <dialog> element: focus is trapped, Escape closes, the page behind
// is inert.
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { FormError } from './field.tsx';
import { useToast } from './toast.tsx';
import { errorMessage } from '../api/client.ts';

type DialogProps = {
  open: boolean;
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  /** Wide dialogs hold tables or long keys. */
  size?: 'normal' | 'wide' | 'full';
};

export function Dialog({ open, title, description, onClose, children, size = 'normal' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose(); // click on the backdrop
      }}
    >
      {open ? (
        <div className="dialog-body">
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {description ? (
            <p id={descriptionId} className="dialog-description">
              {description}
            </p>
          ) : null}
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

type ConfirmDialogProps = {
  open: boolean;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  isPending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
  /** Extra inputs (a reason, a typed confirmation). */
  children?: ReactNode;
  isConfirmDisabled?: boolean;
};

export function ConfirmDialog({ open, title, description, confirmLabel, tone = 'danger', isPending, error, onConfirm, onClose, children, isConfirmDisabled }: ConfirmDialogProps) {
  return (
    <Dialog open={open} title={title} description={description} onClose={onClose}>
      {children}
      <FormError message={error} />
      <div className="dialog-actions">
        {/* A destructive action is never the default: Enter on open cancels. */}
        <button type="button" className="btn btn-secondary" onClick={onClose} disabled={isPending} autoFocus={!children && tone === 'danger'}>
          Cancel
        </button>
        <button type="button" className={`btn btn-${tone}`} onClick={onConfirm} disabled={isPending || isConfirmDisabled} autoFocus={!children && tone !== 'danger'}>
          {isPending ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** The part of a TanStack mutation the confirmation needs. */
type ConfirmableMutation<V> = {
  isPending: boolean;
  error: unknown;
  reset: () => void;
  mutate: (variables: V, options: { onSuccess: () => void }) => void;
};

type ConfirmMutationDialogProps<T, V> = {
  /** The row the action is about; null keeps the dialog closed. */
  target: T | null;
  /** Clears the target: called on cancel and after success. */
  onDone: () => void;
  title: (target: T) => ReactNode;
  description: (target: T) => ReactNode;
  confirmLabel: string;
  mutation: ConfirmableMutation<V>;
  variables: (target: T) => V;
  successMessage: (target: T) => string;
};

/** "Revoke / delete / remove this row?": confirm, run the mutation, toast, close; errors stay in the dialog. */
export function ConfirmMutationDialog<T, V>({ target, onDone, title, description, confirmLabel, mutation, variables, successMessage }: ConfirmMutationDialogProps<T, V>) {
  const toast = useToast();
  return (
    <ConfirmDialog
      open={target !== null}
      title={target !== null ? title(target) : ''}
      description={target !== null ? description(target) : ''}
      confirmLabel={confirmLabel}
      isPending={mutation.isPending}
      error={mutation.error ? errorMessage(mutation.error) : null}
      onClose={() => { onDone(); mutation.reset(); }}
      onConfirm={() => target !== null && mutation.mutate(variables(target), {
        onSuccess: () => {
          toast.success(successMessage(target));
          onDone();
        },
      })}
    />
  );
}
