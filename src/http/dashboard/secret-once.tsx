/**
 * A secret shown once (issue 14): a new API token or a webhook's signing secret. Only its hash
 * (tokens) or the sending side (webhooks) is kept, so the page says it will not be shown again
 * and offers a copy button (app.js) beside a read-only field the user can also select by hand.
 */
export function SecretOnce(props: { id: string; title: string; label: string; secret: string }) {
  return (
    <div class="notice ok" role="status">
      <p>
        <strong>{props.title}</strong> Copy it now: it will not be shown again.
      </p>
      <div class="record-row">
        <label for={props.id}>{props.label}</label>
        <input id={props.id} value={props.secret} readonly autocomplete="off" spellcheck={false} />
        <div>
          <button type="button" class="secondary copy" data-copy={props.id}>
            Copy
          </button>
        </div>
      </div>
    </div>
  )
}
