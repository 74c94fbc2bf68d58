/**
 * The BIMI page's logo forms (issue 14): upload an SVG Tiny PS logo, convert an ordinary SVG,
 * and the conversion's outcome — the original and the converted logo side by side as <img>
 * from the sandboxed preview path (never inlined), every change made, what is still wrong, and
 * the button that stores the converted bytes kept on the server under the preview's id.
 */
import {
  Reasons,
  SelectorField,
  bimiBase,
  type ConvertedPreview,
  type Refusal,
} from './bimi-sections.js'
import { Csrf, type Viewer } from './layout.js'

export const previewPath = (domain: string, id: string, which: 'original' | 'converted') =>
  `${bimiBase(domain)}/preview/${encodeURIComponent(id)}/${which}.svg`

export function UploadForm(props: {
  viewer: Viewer
  domain: string
  refusal: Refusal | undefined
  selector?: string
}) {
  return (
    <section aria-labelledby="upload">
      <h2 id="upload">Upload a logo</h2>
      <p>
        An SVG Tiny PS file of at most 32 KiB. An ordinary SVG is refused with every reason; convert
        it below first.
      </p>
      <Reasons refusal={props.refusal} form="upload" />
      <form
        method="post"
        action={`${bimiBase(props.domain)}/upload`}
        enctype="multipart/form-data"
        class="stack"
      >
        <Csrf viewer={props.viewer} />
        <SelectorField id="upload-selector" value={props.selector} />
        <div>
          <label for="logo">Logo (SVG Tiny PS)</label>
          <input id="logo" name="logo" type="file" accept=".svg,image/svg+xml" required />
        </div>
        <button type="submit">Upload the logo</button>
      </form>
    </section>
  )
}

export function ConvertForm(props: {
  viewer: Viewer
  domain: string
  refusal: Refusal | undefined
  title?: string
}) {
  return (
    <section aria-labelledby="convert">
      <h2 id="convert">Convert an SVG to SVG Tiny PS</h2>
      <p>
        The same conversion as the API and <code>policyhost logo convert</code>: nothing is stored
        until you choose to use the result.
      </p>
      <Reasons refusal={props.refusal} form="convert" />
      <form
        method="post"
        action={`${bimiBase(props.domain)}/convert`}
        enctype="multipart/form-data"
        class="stack"
      >
        <Csrf viewer={props.viewer} />
        <div>
          <label for="convert-logo">SVG file</label>
          <input id="convert-logo" name="logo" type="file" accept=".svg,image/svg+xml" required />
        </div>
        <div>
          <label for="convert-title">Title (the brand name; optional)</label>
          <input id="convert-title" name="title" maxlength={200} value={props.title ?? ''} />
        </div>
        <button type="submit">Convert</button>
      </form>
    </section>
  )
}

export function ConvertResult(props: {
  viewer: Viewer
  domain: string
  preview: ConvertedPreview
}) {
  const p = props.preview
  return (
    <section aria-labelledby="converted">
      <h2 id="converted">Conversion result</h2>
      {p.valid ? (
        <p class="notice ok" role="status">
          The converted logo is valid SVG Tiny PS.
        </p>
      ) : (
        <div class="notice error" role="alert">
          <p>The converted logo is still not valid SVG Tiny PS; it would be refused:</p>
          <ul>
            {p.errors.map((i) => (
              <li>
                <code>{i.rule}</code>
                <span class="muted"> at {i.path}</span>: {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="side-by-side">
        <figure>
          <img
            src={previewPath(props.domain, p.id, 'original')}
            alt="The original SVG, as uploaded"
            width="256"
            height="256"
          />
          <figcaption>Original</figcaption>
        </figure>
        <figure>
          <img
            src={previewPath(props.domain, p.id, 'converted')}
            alt="The converted SVG Tiny PS logo"
            width="256"
            height="256"
          />
          <figcaption>Converted</figcaption>
        </figure>
      </div>
      {p.svgTitle !== null && (
        <p>
          Title in the converted logo: <q>{p.svgTitle}</q>
        </p>
      )}
      <h3>Changes made</h3>
      {p.changes.length === 0 ? (
        <p>None: the file was already in shape.</p>
      ) : (
        <ul>
          {p.changes.map((c) => (
            <li>{c}</li>
          ))}
        </ul>
      )}
      {p.warnings.length > 0 && (
        <>
          <h3>Warnings</h3>
          <ul>
            {p.warnings.map((i) => (
              <li>
                <code>{i.rule}</code>: {i.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {p.valid && (
        <form method="post" action={`${bimiBase(props.domain)}/use-converted`} class="stack">
          <Csrf viewer={props.viewer} />
          <input type="hidden" name="preview" value={p.id} />
          <SelectorField id="use-selector" />
          <button type="submit">Use the converted logo</button>
        </form>
      )}
    </section>
  )
}
