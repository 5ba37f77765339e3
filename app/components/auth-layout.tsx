import type { ReactNode } from "react";

export function AuthLayout({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card card">
        <p className="brand">
          <span aria-hidden="true">🂠</span> Token Poker
        </p>
        <h1>{title}</h1>
        {children}
        {footer ? <div className="auth-footer muted">{footer}</div> : null}
      </div>
    </main>
  );
}
