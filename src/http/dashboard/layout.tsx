/**
 * The dashboard's page frame (issue 14): one stylesheet and one small script from our own origin
 * (the CSP allows nothing else), a skip link and landmarks for keyboard and screen-reader use,
 * and the navigation for who is signed in. Text is escaped by hono's JSX; nothing here is raw.
 */
import type { Child } from 'hono/jsx'
import type { Actor } from '../../core/actor.js'
import { ASSET_PATHS } from './assets.js'

export interface Viewer {
  actor: Actor
  /** The session's CSRF token: every state-changing form carries it. */
  csrf: string
  /** What the header says: the tenant's name, or "operator". */
  name: string
}

/** A hidden field with the session's CSRF token, for every POST form. */
export function Csrf(props: { viewer: Viewer }) {
  return <input type="hidden" name="_csrf" value={props.viewer.csrf} />
}

function Nav(props: { viewer: Viewer; current: string }) {
  const links: [string, string][] = [
    ['/domains', 'Domains'],
    ['/alerts', 'Alerts'],
    ['/tokens', 'Tokens'],
  ]
  if (props.viewer.actor.kind === 'operator') {
    links.push(['/operator/tenants', 'Tenants'], ['/operator/overview', 'Service'])
  }
  return (
    <nav aria-label="Main">
      <ul>
        {links.map(([href, label]) => (
          <li>
            <a href={href} aria-current={props.current === href ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
      <form method="post" action="/sign-out" class="sign-out">
        <Csrf viewer={props.viewer} />
        <span class="who">{props.viewer.name}</span>
        <button type="submit">Sign out</button>
      </form>
    </nav>
  )
}

export function Layout(props: {
  title: string
  viewer: Viewer | null
  /** The nav entry to mark as the current page. */
  current?: string
  children?: Child
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · policyhost`}</title>
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script src={ASSET_PATHS.js} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <a class="brand" href="/">
            policyhost
          </a>
          {props.viewer && <Nav viewer={props.viewer} current={props.current ?? ''} />}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  )
}
