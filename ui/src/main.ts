//! Boots the cashier's screens: picks the backend, loads the first View, listens for pushed ones.

import { App } from './app';
import { connect } from './ipc';

async function boot(): Promise<void> {
  const root = document.getElementById('app')!;
  const app = new App(root);
  const backend = await connect(window);
  if (!backend) {
    app.state.offline = true;
    app.paint();
    return;
  }
  backend.onView((view) => app.pushed(view));
  app.paint();
  await app.start();
}

void boot();
