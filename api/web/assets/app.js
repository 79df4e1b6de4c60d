// Entry of the browser scripts: each page loads only the module it needs. Without JavaScript the
// pages still read (server-rendered); these add filtering, charts and the calculator.
import { showProblem } from './dom.js';

const MODULES = {
  overview: () => import('./overview.js'),
  model: () => import('./model-page.js'),
  compare: () => import('./calculator.js'),
};

const load = MODULES[document.body.dataset.page];
if (load) {
  load()
    .then((m) => m.init())
    .catch((err) => {
      const main = document.getElementById('main');
      const box = document.createElement('div');
      main.prepend(box);
      showProblem(box, err, 'This page’s script failed');
    });
}
