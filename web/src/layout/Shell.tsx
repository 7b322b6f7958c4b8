import type { ReactNode } from 'react';
import { ActionIcon, AppShell, Burger, Group, NavLink, Text, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { DatabaseIcon, EndpointIcon, HookIcon, ImageIcon, JobsIcon, LogoMark, ModelIcon, MoonIcon, PatientIcon, RulesIcon, SettingsIcon, SunIcon } from '../components/icons.tsx';
import { SettingsDialog } from './SettingsDialog.tsx';
import { ChatIcon } from '../llm/icons.tsx';
import { SummarizeIcon } from '../summarize/SummarizeIcon.tsx';

const NAV = [
  { to: '/datasets', label: 'Datasets', icon: DatabaseIcon, testId: 'nav-datasets' },
  { to: '/jobs', label: 'Jobs', icon: JobsIcon, testId: 'nav-jobs' },
  { to: '/models', label: 'Models', icon: ModelIcon, testId: 'nav-models' },
  { to: '/endpoints', label: 'Endpoints', icon: EndpointIcon, testId: 'nav-endpoints' },
  { to: '/pipelines', label: 'Pipelines', icon: JobsIcon, testId: 'nav-pipelines' },
  { to: '/llm', label: 'LLMs', icon: ChatIcon, testId: 'nav-llm' },
  { to: '/finetune', label: 'Fine-tuning', icon: ChatIcon, testId: 'nav-finetune' },
  { to: '/summarize', label: 'Summarize', icon: SummarizeIcon, testId: 'nav-summarize' },
  { to: '/images', label: 'Images', icon: ImageIcon, testId: 'nav-images' },
  { to: '/detection', label: 'Detection', icon: ImageIcon, testId: 'nav-detection' },
  { to: '/labeling', label: 'Labeling', icon: ImageIcon, testId: 'nav-labeling' },
  { to: '/edge', label: 'Edge fleets', icon: EndpointIcon, testId: 'nav-edge' },
  { to: '/fhir', label: 'Patients (FHIR)', icon: PatientIcon, testId: 'nav-fhir' },
  { to: '/rules', label: 'Payer rules', icon: RulesIcon, testId: 'nav-rules' },
  { to: '/cds', label: 'CDS Hooks', icon: HookIcon, testId: 'nav-cds' },
];

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} mode`} onClick={() => setColorScheme(next)} data-testid="color-scheme-toggle">
        {computed === 'dark' ? <SunIcon /> : <MoonIcon />}
      </ActionIcon>
    </Tooltip>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const [navOpened, nav] = useDisclosure(false);
  const [settingsOpened, settings] = useDisclosure(false);
  const { pathname } = useLocation();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={navOpened} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <RouterLink to="/" style={{ display: 'flex', alignItems: 'center', gap: 10, textDecoration: 'none', color: 'inherit' }}>
              <LogoMark />
              <Text fw={700} size="lg" data-testid="product-name">
                Sagebrush
              </Text>
            </RouterLink>
            <Text size="sm" c="dimmed" visibleFrom="md">
              self-hosted ML studio
            </Text>
          </Group>
          <Group gap="xs">
            <ColorSchemeToggle />
            <Tooltip label="Settings">
              <ActionIcon variant="default" size="lg" aria-label="Settings" onClick={settings.open} data-testid="settings-button">
                <SettingsIcon />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" data-testid="navbar">
        {NAV.map((item) => (
          <NavLink
            key={item.to}
            component={RouterLink}
            to={item.to}
            label={item.label}
            leftSection={<item.icon />}
            active={pathname === item.to || pathname.startsWith(`${item.to}/`)}
            onClick={nav.close}
            data-testid={item.testId}
            variant="light"
            style={{ borderRadius: 'var(--mantine-radius-md)', marginBottom: 2 }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
      <SettingsDialog opened={settingsOpened} onClose={settings.close} />
    </AppShell>
  );
}
