import { useSessionActions } from '../api/auth.ts';
import { useSession } from '../auth/session.tsx';
import { initials } from '../lib/format.ts';
import { navigate } from '../lib/router.tsx';
import { Badge } from './badge.tsx';
import { Icon } from './icons.tsx';
import { Menu, MenuItem, MenuLabel, MenuSeparator } from './menu.tsx';

export function UserMenu() {
  const { me } = useSession();
  const actions = useSessionActions();
  const user = me.user;
  const name = user?.name || user?.email || 'API key';

  return (
    <Menu
      className="user-menu"
      triggerClassName="user-menu-trigger"
      triggerLabel={`Account menu for ${name}`}
      trigger={
        <>
          <span className="avatar" aria-hidden="true">{initials(user?.name ?? '', user?.email ?? '?')}</span>
          <span className="user-menu-name">{name}</span>
        </>
      }
    >
      {(close) => (
        <>
          <MenuLabel>
            <span className="user-menu-identity">
              <strong>{user?.name || 'Signed in'}</strong>
              <span className="muted">{user?.email}</span>
              {user?.isPlatformAdmin ? <Badge tone="accent">Platform admin</Badge> : null}
            </span>
          </MenuLabel>
          <MenuSeparator />
          <MenuItem onSelect={() => { close(); navigate('/security'); }}>
            <Icon name="shield" />
            <span>Security &amp; sessions</span>
          </MenuItem>
          <MenuItem onSelect={() => { close(); window.open('/docs', '_blank', 'noopener'); }}>
            <Icon name="book" />
            <span>API reference</span>
          </MenuItem>
          <MenuSeparator />
          <MenuItem onSelect={() => { close(); void actions.logout(); }}>
            <Icon name="logout" />
            <span>Log out</span>
          </MenuItem>
        </>
      )}
    </Menu>
  );
}
