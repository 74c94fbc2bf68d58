/** What dashboard handlers read per request: the app's variables and who is signed in. */
import type { AppEnv } from '../env.js'
import type { Viewer } from './layout.js'

export interface DashEnv {
  Bindings: AppEnv['Bindings']
  Variables: AppEnv['Variables'] & {
    /** Set by the session middleware on every page behind sign-in. */
    viewer: Viewer
  }
}
