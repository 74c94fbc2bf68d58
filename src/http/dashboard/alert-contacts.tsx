/**
 * The mail contacts part of `/alerts` (issue 14): each address with whether it is confirmed, the
 * form for the mailed code beside an unconfirmed one, and the form to add one. Where the server
 * has no mail relay (SMTP_URL unset) the section says so before anyone tries.
 */
import type { StoredContact } from '../../core/alerts/alert-ports.js'
import { PostButton, TenantField, type FormState } from './alerts-sections.js'
import { FieldErrors, GeneralErrors, invalidProps } from './fields.js'
import { Csrf, type Viewer } from './layout.js'
import { when } from './page-dates.js'

function ConfirmForm(props: {
  viewer: Viewer
  tenant: string | undefined
  contact: StoredContact
  state: FormState | null
}) {
  const id = `code-${props.contact.id}`
  const errors = props.state?.errors
  return (
    <form
      method="post"
      action={`/alerts/contacts/${encodeURIComponent(props.contact.id)}/confirm`}
      class="search"
    >
      <Csrf viewer={props.viewer} />
      <TenantField tenant={props.tenant} />
      <label for={id}>Code mailed to {props.contact.email}</label>
      {errors && <GeneralErrors errors={errors} />}
      <input
        id={id}
        name="code"
        value={props.state?.value ?? ''}
        required
        maxlength={64}
        autocomplete="one-time-code"
        {...(errors ? invalidProps(id, errors, 'code') : {})}
      />
      <button type="submit">Confirm</button>
      {errors && <FieldErrors id={id} errors={errors} field="code" />}
    </form>
  )
}

export function ContactsSection(props: {
  viewer: Viewer
  tenant: string | undefined
  contacts: StoredContact[]
  mail: boolean
  form: FormState
  confirm: (FormState & { id: string }) | null
}) {
  const { errors } = props.form
  return (
    <section aria-labelledby="contacts">
      <h2 id="contacts">Mail contacts</h2>
      {!props.mail && (
        <p class="notice error">
          Mail alerts are off on this server: the operator has not set SMTP_URL.
        </p>
      )}
      {props.contacts.length === 0 ? (
        <p>No mail contacts.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">State</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.contacts.map((c) => (
                <tr>
                  <th scope="row">{c.email}</th>
                  <td>
                    {c.confirmedAt ? (
                      <span class="state-ok">confirmed {when(c.confirmedAt)}</span>
                    ) : (
                      <>
                        <span class="state-warning">not confirmed: enter the mailed code</span>
                        <ConfirmForm
                          viewer={props.viewer}
                          tenant={props.tenant}
                          contact={c}
                          state={props.confirm?.id === c.id ? props.confirm : null}
                        />
                      </>
                    )}
                  </td>
                  <td>
                    <PostButton
                      viewer={props.viewer}
                      tenant={props.tenant}
                      action={`/alerts/contacts/${encodeURIComponent(c.id)}/remove`}
                      label="Remove"
                      hidden={c.email}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Add an address</h3>
      <GeneralErrors errors={errors} />
      <form method="post" action="/alerts/contacts" class="stack">
        <Csrf viewer={props.viewer} />
        <TenantField tenant={props.tenant} />
        <div>
          <label for="contact-email">Mail address (a confirmation code is mailed to it)</label>
          <input
            id="contact-email"
            name="email"
            type="email"
            value={props.form.value}
            required
            maxlength={254}
            {...invalidProps('contact-email', errors, 'email')}
          />
          <FieldErrors id="contact-email" errors={errors} field="email" />
        </div>
        <div>
          <button type="submit">Add address</button>
        </div>
      </form>
    </section>
  )
}
