/**
 * The USSD menu runtime's decisions, pure: given the operator's menu for a USSD code (db/schema/config.ts),
 * where the subscriber is in it and what they typed, the next step: a screen (session stays open), an action
 * to run (its reply closes the session), an SMS route to try, or a closing text. pipeline/mo/ussd.ts keeps
 * the state in Redis and runs the step.
 *
 * Where USSD codes are matched (SPEC "The services"; PROTOCOL.md §5 "Menu session on SMPP"):
 * - `*111#` opens the menu stored for the code `*111#`.
 * - `*111*A*B#` walks that menu directly: item A, then item B of A's submenu; ending on an action runs it,
 *   ending on a submenu shows it.
 * - A direct dial that leaves the menu is the SMS to that short code with the arguments as text:
 *   `*111*25#` is "25" to 111 (the seeded `111-password` route → account.password). Menu items stay 1–9, as
 *   the admin API requires, so no menu item has to shadow an SMS command.
 * - Nothing matching (or only the short code's catch-all help): the menu again, headed "Invalid choice.";
 *   without a menu, the route's reply (the short code's help) closes the session.
 */
import type { MenuItem, MenuNode, MenuText } from '../db/schema/config.js';
import type { Locale } from './types.js';
import { layoutScreen, type ScreenItem } from './ussd-screen.js';

/** ussd_service_op values (SMPP 3.4 §5.3.2.44; PROTOCOL.md §5). */
export const USSD_OP = {
  pssdIndication: 0x00,
  pssrIndication: 0x01,
  ussrRequest: 0x02,
  pssrResponse: 0x11,
  ussrConfirm: 0x12,
} as const;

/** The texts of the runtime itself. Menu titles and labels are the operator's (en/ru). */
export const USSD_TEXT = {
  invalid: { en: 'Invalid choice.', ru: 'Неверный выбор.' },
  back: { en: 'Back', ru: 'Назад' },
  expired: { en: 'Session expired. Dial the code again.', ru: 'Сеанс истёк. Наберите код снова.' },
  unknown: { en: 'Unknown service code.', ru: 'Неизвестный код услуги.' },
  noReply: { en: 'Request not completed. Try again later.', ru: 'Запрос не выполнен. Попробуйте позже.' },
  /** USSD over HTTP: a retried final step whose answer is no longer kept. */
  done: { en: 'Your request was already processed.', ru: 'Ваш запрос уже обработан.' },
} as const satisfies Record<string, MenuText>;

export interface UssdString {
  /** The menu's key: `*111#`. */
  code: string;
  /** `111`: the short code SMS routes use. */
  serviceCode: string;
  args: string[];
}

/** A subscriber's place in a menu: the item keys from the top to the submenu on screen. */
export interface UssdState {
  code: string;
  path: string[];
}

export type UssdStep =
  | { kind: 'screen'; state: UssdState; text: string }
  /** `shortCode`: set when an SMS route chose the action (its help text is that short code's). */
  | { kind: 'action'; action: string; params: Record<string, unknown>; shortCode?: string }
  /** A direct dial off the menu: route `text` on `shortCode`; `fallback` when only help (or nothing) matches. */
  | { kind: 'route'; shortCode: string; text: string; fallback: UssdStep | null }
  | { kind: 'end'; text: string };

/** `*111#`, `*111*25#`, `*111*2*1#` (digits only: an MO text of a USSD request; spaces around are ignored). */
export function parseUssdString(text: string): UssdString | null {
  const m = /^\*(\d{1,6})((?:\*\d{1,20})*)#$/.exec(text.trim());
  if (!m) return null;
  const serviceCode = m[1]!;
  const args = m[2] ? m[2].slice(1).split('*') : [];
  return { code: `*${serviceCode}#`, serviceCode, args };
}

export function localText(t: MenuText, locale: Locale): string {
  return locale === 'ru' ? (t.ru ?? t.en) : t.en;
}

/** The screen of the node at `state.path`: title, numbered items, "0. Back" below the top; one USSD page. */
export function renderScreen(node: MenuNode, depth: number, locale: Locale, error?: MenuText, forceUcs2 = false): string {
  const head = [...(error ? [localText(error, locale)] : []), localText(node.title, locale)];
  const items: ScreenItem[] = node.items.map((i) => ({ key: i.key, label: localText(i.label, locale) }));
  const tail = depth > 0 ? [`0. ${localText(USSD_TEXT.back, locale)}`] : [];
  return layoutScreen(head, items, tail, forceUcs2);
}

/** The node a path leads to in `menu`, or null when the menu changed under the session. */
export function nodeAt(menu: MenuNode, path: readonly string[]): MenuNode | null {
  let node: MenuNode = menu;
  for (const key of path) {
    const next = node.items.find((i) => i.key === key)?.menu;
    if (!next) return null;
    node = next;
  }
  return node;
}

function screen(menu: MenuNode, state: UssdState, locale: Locale, error?: MenuText): UssdStep {
  const node = nodeAt(menu, state.path) ?? menu;
  const path = node === menu ? [] : state.path;
  return { kind: 'screen', state: { code: state.code, path }, text: renderScreen(node, path.length, locale, error) };
}

function choose(menu: MenuNode, state: UssdState, item: MenuItem, locale: Locale): UssdStep {
  if (item.menu) return screen(menu, { code: state.code, path: [...state.path, item.key] }, locale);
  return { kind: 'action', action: item.action ?? 'help', params: item.params ?? {} };
}

/** A new request (PSSR indication): `*111#` shows the menu, `*111*N…#` dials straight through it. */
export function startUssd(menu: MenuNode | null, req: UssdString, locale: Locale): UssdStep {
  const top: UssdState = { code: req.code, path: [] };
  const offMenu = (): UssdStep => ({
    kind: 'route', shortCode: req.serviceCode, text: req.args.join(' '),
    fallback: menu ? screen(menu, top, locale, req.args.length ? USSD_TEXT.invalid : undefined) : null,
  });
  if (!menu) return offMenu();
  let node = menu;
  const path: string[] = [];
  for (const [i, arg] of req.args.entries()) {
    const item = node.items.find((it) => it.key === arg);
    if (!item) return offMenu();
    if (!item.menu) return i === req.args.length - 1 ? choose(menu, { code: req.code, path }, item, locale) : offMenu();
    node = item.menu;
    path.push(item.key);
  }
  return screen(menu, { code: req.code, path }, locale);
}

/** The subscriber's answer (USSR confirm) on the screen at `state`: an item, "0" for back, else the screen again. */
export function continueUssd(menu: MenuNode | null, state: UssdState | null, input: string, locale: Locale): UssdStep {
  if (!state) return { kind: 'end', text: localText(USSD_TEXT.expired, locale) };
  if (!menu) return { kind: 'end', text: localText(USSD_TEXT.unknown, locale) };
  const node = nodeAt(menu, state.path);
  // The operator changed the menu during the session: start again from the top rather than guess.
  if (!node) return screen(menu, { code: state.code, path: [] }, locale, USSD_TEXT.invalid);
  const choice = input.trim();
  if (choice === '0' && state.path.length > 0) return screen(menu, { code: state.code, path: state.path.slice(0, -1) }, locale);
  const item = node.items.find((i) => i.key === choice);
  return item ? choose(menu, state, item, locale) : screen(menu, state, locale, USSD_TEXT.invalid);
}
