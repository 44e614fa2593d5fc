// The frame of the public pages: brand, one card, a footer line.
import { useEffect } from 'react';
import type { ReactNode } from 'react';

export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Atrium`;
  }, [title]);
  return (
    <div className="auth-page">
      <main className="auth-main">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">A</span>
          <span>Atrium</span>
        </div>
        <div className="auth-card">
          <h1>{title}</h1>
          {subtitle ? <p className="auth-subtitle">{subtitle}</p> : null}
          {children}
        </div>
        {footer ? <p className="auth-footer">{footer}</p> : null}
      </main>
    </div>
  );
}
