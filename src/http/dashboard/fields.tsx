/**
 * Form fields with their label and their problems (issue 14): the message is tied to the input
 * with aria-describedby and the input marked aria-invalid, so a screen reader reads both.
 */
import type { Child } from 'hono/jsx'
import type { FormErrors } from './form-errors.js'

export function FieldErrors(props: { id: string; errors: FormErrors; field: string }) {
  const messages = props.errors.fields.get(props.field) ?? []
  if (messages.length === 0) return null
  return (
    <div id={`${props.id}-error`}>
      {messages.map((m) => (
        <p class="field-error">{m}</p>
      ))}
    </div>
  )
}

/** Attributes that tie an input to its problems. */
export function invalidProps(id: string, errors: FormErrors, field: string) {
  const bad = (errors.fields.get(field) ?? []).length > 0
  return bad ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` } : {}
}

export function GeneralErrors(props: { errors: FormErrors }) {
  if (props.errors.general.length === 0) return null
  return (
    <div class="notice error" role="alert">
      {props.errors.general.map((m) => (
        <p>{m}</p>
      ))}
    </div>
  )
}

export function Notice(props: { kind?: 'ok' | 'error'; children?: Child }) {
  return (
    <div class={`notice ${props.kind ?? ''}`} role="status">
      {props.children}
    </div>
  )
}
