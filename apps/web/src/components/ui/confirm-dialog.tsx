'use client';

import * as AlertDialog from '@radix-ui/react-alert-dialog';
import type { ReactNode } from 'react';
import { DANGER_BUTTON, SECONDARY_BUTTON } from './controls';
import { Spinner } from './spinner';

/**
 * A confirmation before an action that cannot be taken back (Radix AlertDialog: focus moves into
 * it and stays there, Escape and Cancel close it, the trigger gets focus back).
 */
export function ConfirmDialog(props: {
  trigger: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
}) {
  return (
    <AlertDialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      <AlertDialog.Trigger asChild>{props.trigger}</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-6 shadow-xl focus:outline-none">
          <AlertDialog.Title className="text-lg font-semibold text-slate-900">{props.title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="mt-2 space-y-2 text-sm leading-6 text-slate-700">{props.description}</div>
          </AlertDialog.Description>
          <div className="mt-6 flex justify-end gap-3">
            <AlertDialog.Cancel className={SECONDARY_BUTTON}>Cancel</AlertDialog.Cancel>
            <AlertDialog.Action
              className={DANGER_BUTTON}
              disabled={props.pending}
              onClick={(e) => {
                // The dialog closes when the action's request is done (the page moves on), not before.
                e.preventDefault();
                props.onConfirm();
              }}
            >
              {props.pending && <Spinner className="size-4" />}
              {props.confirmLabel}
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
