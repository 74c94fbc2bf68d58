/** Refuses to run the e2e suite outside the network namespace test/e2e/run.sh creates. */
export default function setup(): void {
  if (!process.env.PH_E2E_NETNS) {
    throw new Error(
      'The e2e suite binds ports 53/80/443 and needs its own network namespace: ' +
        'run it with `bash test/e2e/run.sh` (as root).',
    )
  }
}
