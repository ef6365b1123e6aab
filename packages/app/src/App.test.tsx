import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  beforeEach(() => {
    window.localStorage.clear();
  });

  it('renders the development sign-in page with the demo users', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
            cloudStore: { signIn: { demoUsers: ['developer', 'approver'] } },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(
      await screen.findByText('Development sign-in', {}, { timeout: 20_000 }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Sign in as developer' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Sign in as approver' }),
    ).toBeInTheDocument();
  });
});
