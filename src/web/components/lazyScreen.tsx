/**
 * Code splitting: a screen whose code is fetched the first time it shows, so the
 * landing page loads only the welcome screen and what every screen shares.
 */
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export type LazyScreen<P> = ((props: P) => JSX.Element) & { preload(): Promise<unknown> };

/** The App asked to focus the new screen's heading before its code had arrived. */
let headingWanted = false;

/** Focuses the heading of the screen in `main` now, or as soon as a lazy screen has rendered. */
export function focusHeading(main: HTMLElement | null): void {
  const heading = main?.querySelector<HTMLElement>('h1');
  headingWanted = !heading;
  heading?.focus();
}

export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): LazyScreen<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const preload = () =>
    (pending ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        pending = undefined; // a failed fetch (offline) is tried again next time
        throw error;
      },
    ));

  function Lazy(props: P): JSX.Element {
    const [, setReady] = useState(0);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (!loaded) preload().then(() => setReady(1), () => setFailed(true));
    }, []);
    useEffect(() => {
      if (!loaded || !headingWanted) return;
      headingWanted = false;
      document.querySelector<HTMLElement>('main h1')?.focus();
    });
    if (loaded) {
      const Screen = loaded;
      return <Screen {...props} />;
    }
    return (
      <div class="page narrow" aria-busy="true">
        {failed && <p role="alert">This page could not be loaded. Check your connection and reload.</p>}
      </div>
    );
  }
  return Object.assign(Lazy, { preload });
}
