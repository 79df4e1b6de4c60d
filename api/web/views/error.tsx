// A page for what went wrong outside the API (an unknown page, an unexpected error): never blank.
import type { Problem } from '../../problem.ts';
import { ProblemMessage } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import type { PageResult } from './page.ts';

export function errorPage(problem: Problem, heading: string): PageResult {
  return {
    status: problem.status,
    html: renderPage({
      title: heading,
      page: 'error',
      children: (
        <>
          <h1>{heading}</h1>
          <ProblemMessage problem={problem} heading="What happened" />
          <p>
            <a href="/">Back to the overview</a>
          </p>
        </>
      ),
    }),
  };
}
