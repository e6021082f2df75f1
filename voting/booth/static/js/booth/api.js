// The board's HTTP API as the booth uses it (docs/record-format.md §6, §9). Requests carry no cookies
// (credentials: 'omit'), send JSON with Content-Type application/json and never put anything but public
// values (election id, confirmation code, seq) in a URL.

// Every request has a timeout: after `slowMs` the page's slow listener is told (the page says "still
// trying"), after `timeoutMs` the request is abandoned as BoardUnreachable. Three kinds of failure are told
// apart, because only two of them are worth retrying: BoardUnreachable (no answer: network down, or the
// timeout), BoardUnavailable (a 5xx, or an answer that is not the board's JSON: a proxy's error page) and
// BoardRefusal (a 4xx: the board looked at the request and said no; the same request gets the same no).

/** No answer: the network failed or the board did not answer within the timeout. Retrying may help. */
export class BoardUnreachable extends Error {
  constructor(timedOut = false) {
    super(timedOut ? 'the board did not answer in time' : 'the board could not be reached');
    this.name = 'BoardUnreachable';
    this.timedOut = timedOut;
  }
}

/** A 5xx answer (or one that is not JSON): a fault on the board's side that retrying may cure. */
export class BoardUnavailable extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.name = 'BoardUnavailable';
    this.status = status;
    this.code = error?.code ?? null;
  }
}

/**
 * A 4xx answer: status, and the board's { code, field, message } (record format §9); `retryAfter` the seconds of
 * a Retry-After header (a rate limit), or null; `triesLeft` the wrong login codes still allowed, or null.
 */
export class BoardRefusal extends Error {
  constructor(status, error, { retryAfter = null, triesLeft = null } = {}) {
    super(error?.message ?? `HTTP ${status}`);
    this.name = 'BoardRefusal';
    this.status = status;
    this.code = error?.code ?? null;
    this.field = error?.field ?? null;
    this.retryAfter = retryAfter;
    this.triesLeft = triesLeft;
  }
}

/** The seconds of a Retry-After header given in seconds, or null. */
function retryAfterOf(response) {
  const value = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/** Whether sending the same request again may succeed (no answer, or a fault on the board's side). */
export function isRetryable(error) {
  return error instanceof BoardUnreachable || error instanceof BoardUnavailable;
}

// Timings in milliseconds. Tests shorten them with sessionStorage 'evote-booth/request-timing' =
// '{"slowMs": ..., "timeoutMs": ...}' (set before the page loads); nothing else reads that key.
const TIMING = { slowMs: 5_000, timeoutMs: 30_000 };
try {
  const stored = JSON.parse(window.sessionStorage.getItem('evote-booth/request-timing') ?? 'null');
  for (const name of Object.keys(TIMING)) {
    if (Number.isFinite(stored?.[name]) && stored[name] > 0) TIMING[name] = stored[name];
  }
} catch {
  // no storage, or not JSON: the defaults
}

let slowListener = () => {};

/** `listener(true)` when a request has taken longer than usual, `listener(false)` when it has ended. */
export function setSlowListener(listener) {
  slowListener = listener;
}

async function request(method, url, body, onSlow = null, { text = false, headers = {} } = {}) {
  const notify = onSlow ?? slowListener;
  const controller = new AbortController();
  const init = {
    method,
    credentials: 'omit',
    cache: 'no-store',
    redirect: 'error',
    referrerPolicy: 'no-referrer',
    headers: { ...headers, Accept: text ? 'text/plain, application/json' : 'application/json' },
    signal: controller.signal,
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body); // a string is sent byte for byte
  }
  let slow = false;
  let timedOut = false;
  const slowTimer = window.setTimeout(() => {
    slow = true;
    notify(true);
  }, TIMING.slowMs);
  const timeoutTimer = window.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, TIMING.timeoutMs);
  try {
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new BoardUnreachable(timedOut);
    }
    let data = null;
    let body = null;
    try {
      body = await response.text();
      data = text && response.ok ? body : JSON.parse(body);
    } catch {
      if (timedOut) throw new BoardUnreachable(true);
      data = null;
    }
    if (response.status >= 500) throw new BoardUnavailable(response.status, data?.error);
    if (!response.ok) {
      const triesLeft = Number.isInteger(data?.tries_left) ? data.tries_left : null;
      throw new BoardRefusal(response.status, data?.error, { retryAfter: retryAfterOf(response), triesLeft });
    }
    if (text && typeof data === 'string') return { status: response.status, data }; // a text answer (the anchors)
    if (data === null || typeof data !== 'object') {
      throw new BoardUnavailable(response.status, { message: 'the board answered something that is not JSON' });
    }
    return { status: response.status, data };
  } finally {
    window.clearTimeout(slowTimer);
    window.clearTimeout(timeoutTimer);
    if (slow) notify(false);
  }
}

const CODE = /^[0-9A-F]{64}$/;
const PUBLIC_KEY = /^[0-9A-F]{64}$/;
const PREFIX = /^[0-9A-F]{8,64}$/;

/** The board API of one election. */
export class ElectionApi {
  constructor(apiBase, electionId) {
    this.base = apiBase;
    this.electionId = electionId;
    this.path = `${apiBase}/elections/${encodeURIComponent(electionId)}`;
  }

  async context() {
    return (await request('GET', `${this.path}/context`)).data;
  }

  /**
   * Posts a submission (record format §5), an object or its JSON text (sent byte for byte, so that a retry
   * is the identical request); resolves { receipt, created } (created false: already there). `onSlow` as
   * setSlowListener's listener, for this request only. `session`: the voter's login session of an election
   * with voter login, sent as `Authorization: Voter <session>` (a header: never in a URL, never a cookie).
   */
  async postBallot(submission, { onSlow = null, session = null } = {}) {
    const headers = session ? { Authorization: `Voter ${session}` } : {};
    const { status, data } = await request('POST', `${this.path}/ballots`, submission, onSlow, { headers });
    return { receipt: data.receipt, created: status === 201 };
  }

  /**
   * Asks the board to e-mail a one-time login code for `voterId` (record format §11, voter login): 202 with the
   * same answer whether or not the id is on the roll.
   */
  async requestLoginCode(voterId) {
    return (await request('POST', `${this.path}/login`, { voter_id: voterId })).data;
  }

  /**
   * Trades the e-mailed code for a session: { session, expires_at, style, weight }. A refusal is a BoardRefusal
   * 401 with the code wrong_code (and triesLeft), code_locked or code_expired.
   */
  async verifyLoginCode(voterId, code) {
    return (await request('POST', `${this.path}/login/verify`, { voter_id: voterId, code })).data;
  }

  /** { receipt, status } for a confirmation code, or null when the board has no such ballot (404). */
  async lookup(code) {
    if (!CODE.test(code)) throw new Error('lookup: a confirmation code is 64 upper-case hex digits');
    try {
      return (await request('GET', `${this.path}/ballots/${code}`)).data;
    } catch (error) {
      if (error instanceof BoardRefusal && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * One credential of the published list (record format §4.1, §9): { public_key, style (null on a version-1
   * list), weight, status: 'eligible' | 'revoked', ballots: [{ confirmation_code, seq, kind, status }] }, or
   * null when the key is not on the list (404). Only the public key goes to the board, never the credential.
   */
  async credential(publicKey) {
    if (!PUBLIC_KEY.test(publicKey)) throw new Error('credential: a public key is 64 upper-case hex digits');
    try {
      return (await request('GET', `${this.path}/credentials/${publicKey}`)).data;
    } catch (error) {
      if (error instanceof BoardRefusal && error.status === 404 && error.code === 'unknown_credential') return null;
      throw error;
    }
  }

  /** The election.created payload, the election's first entry (record format §8.2). */
  async electionCreated() {
    const entry = await this.entry(0);
    if (entry?.kind !== 'election.created' || entry.payload === null || typeof entry.payload !== 'object') {
      throw new BoardRefusal(200, { message: 'the first entry of this election is not its election.created' });
    }
    return entry.payload;
  }

  /**
   * A page of the board's ballots in board order ({ ballots: [{ confirmation_code, seq, kind, status }], next }),
   * from seq `start`; with `prefix` (8 to 64 upper-case hex digits) only those whose code starts with it.
   */
  async ballots({ prefix = null, start = 0, limit = 100 } = {}) {
    if (prefix !== null && !PREFIX.test(prefix)) throw new Error('ballots: a prefix is 8 to 64 upper-case hex digits');
    const query = new URLSearchParams({ start: String(Number(start)), limit: String(Number(limit)) });
    if (prefix !== null) query.set('prefix', prefix);
    return (await request('GET', `${this.path}/ballots?${query}`)).data;
  }

  async entry(seq) {
    return (await request('GET', `${this.path}/entries/${Number(seq)}`)).data;
  }

  async checkpoint() {
    return (await request('GET', `${this.path}/checkpoint`)).data;
  }

  async consistency(oldSize, newSize) {
    return (await request('GET', `${this.path}/consistency?old=${Number(oldSize)}&new=${Number(newSize)}`)).data;
  }

  /** The inclusion proof of entry `seq` in the tree of `size` entries: { seq, size, proof: [hex], root, ... }. */
  async inclusion(seq, size) {
    return (await request('GET', `${this.path}/entries/${Number(seq)}/inclusion?size=${Number(size)}`)).data;
  }

  /**
   * The election's trust anchors, the signed note as text (trust_anchors.js checks it), or null when the
   * election has none (404).
   */
  async anchors() {
    try {
      return (await request('GET', `${this.path}/anchors`, undefined, null, { text: true })).data;
    } catch (error) {
      if (error instanceof BoardRefusal && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * The latest checkpoint that witnesses cosigned, of at least `minSize` entries: { size, root, note (the board's
   * signature and every cosignature obtained), witnesses }, or null while there is none (404
   * not_yet_cosigned). `onSlow` as for postBallot.
   */
  async cosignedCheckpoint(minSize, { onSlow = null } = {}) {
    try {
      return (await request('GET', `${this.path}/checkpoint/cosigned?min_size=${Number(minSize)}`, undefined, onSlow)).data;
    } catch (error) {
      if (error instanceof BoardRefusal && error.status === 404) return null;
      throw error;
    }
  }
}

/** All elections of the board: [{ election_id, ... }]. */
export async function listElections(apiBase) {
  return (await request('GET', `${apiBase}/elections`)).data.elections;
}
