// A deliberately literal check of encrypted ballots, written from SPEC v2.0.0 Verifications 5 and 6 and
// eqs. 57–58, for testing only. It imports nothing from the library it checks (its own hex, bytes, pow and
// hash through WebCrypto), trades speed for plainness, and runs in Node and in the browser test page.
// Every function throws an Error naming the failed check, or returns nothing.

const P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFB17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2BE7B876206DEBAC98559552FB4AFA1B10ED2EAE35C138214427573B291169B8253E96CA16224AE8C51ACBDA11317C387EB9EA9BC3B136603B256FA0EC7657F74B72CE87B19D6548CAF5DFA6BD38303248655FA1872F20E3A2DA2D97C50F3FD5C607F4CA11FB5BFB90610D30F88FE551A2EE569D6DFC1EFA157D2E23DE1400B39617460775DB8990E5C943E732B479CD33CCCC4E659393514C4C1A1E0BD1D6095D25669B333564A3376A9C7F8A5E148E82074DB6015CFE7AA30C480A5417350D2C955D5179B1E17B9DAE313CDB6C606CB1078F735D1B2DB31B5F50B5185064C18B4D162DB3B365853D7598A1951AE273EE5570B6C68F96983496D4E6D330AF889B44A02554731CDC8EA17293D1228A4EF98D6F5177FBCF0755268A5C1F9538B98261AFFD446B1CA3CF5E9222B88C66D3C5422183EDC99421090BBB16FAF3D949F236E02B20CEE886B905C128D53D0BD2F9621363196AF503020060E49908391A0C57339BA2BEBA7D052AC5B61CC4E9207CEF2F0CE2D7373958D762265890445744FB5F2DA4B751005892D356890DEFE9CAD9B9D4B713E06162A2D8FDD0DF2FD608FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFn;
const Q = 2n ** 256n - 189n;
const G = 0x36036FED214F3B50DC566D3A312FE4131FEE1C2BCE6D02EA39B477AC05F7F885F38CFE77A7E45ACF4029114C4D7A9BFE058BF2F995D2479D3DDA618FFD910D3C4236AB2CFDD783A5016F7465CF59BBF45D24A22F130F2D04FE93B2D58BB9C1D1D27FC9A17D2AF49A779F3FFBDCA22900C14202EE6C99616034BE35CBCDD3E7BB7996ADFE534B63CCA41E21FF5DC778EBB1B86C53BFBE99987D7AEA0756237FB40922139F90A62F2AA8D9AD34DFF799E33C857A6468D001ACF3B681DB87DC4242755E2AC5A5027DB81984F033C4D178371F273DBB4FCEA1E628C23E52759BC7765728035CEA26B44C49A65666889820A45C33DD37EA4A1D00CB62305CD541BE1E8A92685A07012B1A20A746C3591A2DB3815000D2AACCFE43DC49E828C1ED7387466AFD8E4BF1935593B2A442EEC271C50AD39F733797A1EA11802A2557916534662A6B7E9A9E449A24C8CFF809E79A4D806EB681119330E6C57985E39B200B4893639FDFDEA49F76AD1ACD997EBA13657541E79EC57437E504EDA9DD011061516C643FB30D6D58AFCCD28B73FEDA29EC12B01A5EB86399A593A9D5F450DE39CB92962C5EC6925348DB54D128FD99C14B457F883EC20112A75A6A0581D3D80A3B4EF09EC86F9552FFDA1653F133AA2534983A6F31B0EE4697935A6B1EA2F75B85E7EBA151BA486094D68722B054633FEC51CA3F29B31E77E317B178B6B9D8AE0Fn;

function mod(a, m) {
  const r = a % m;
  return r < 0n ? r + m : r;
}

// Plain square-and-multiply, right to left.
function pow(base, exponent) {
  let result = 1n;
  let b = mod(base, P);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function fail(check, where) {
  throw new Error(`reference check ${check} failed at ${where}`);
}

function parseHex(hex, digits, where) {
  if (typeof hex !== 'string' || hex.length !== digits || !/^[0-9A-F]+$/.test(hex)) fail('format', where);
  return BigInt('0x' + hex);
}

function member(x, where) {
  if (!(typeof x === 'bigint' && x > 0n && x < P && pow(x, Q) === 1n)) fail('5.A (membership in Z_p^r)', where);
  return x;
}

function element(hex, where) {
  return member(parseHex(hex, 1024, where), where);
}

function bytesOf(x, length) {
  const hex = x.toString(16).padStart(2 * length, '0');
  if (hex.length !== 2 * length) throw new Error('value too large for its encoding');
  return Uint8Array.from({ length }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

function hexBytes(hex) {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

async function hmac(keyHex, parts) {
  const total = parts.reduce((n, part) => n + part.length, 0);
  const message = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  const key = await crypto.subtle.importKey('raw', hexBytes(keyHex), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/**
 * Verification 5/6 for one ciphertext (α, β as BigInts) and one proof { c: [hex], v: [hex] } with range
 * 0..limit: α, β in Z_p^r, c_j < 2^256, v_j in Z_q, a_j = g^{v_j} α^{c_j}, b_j = K^{(v_j − j c_j) mod q} β^{c_j},
 * c = H(H_E; 0x21, K, α, β, a_0, b_0, ...), and c = (Σ c_j) mod q.
 */
export async function referenceVerifyRange({ K, H_E, alpha, beta, proof, limit, where }) {
  member(alpha, `${where}.alpha`);
  member(beta, `${where}.beta`);
  if (proof.c.length !== limit + 1 || proof.v.length !== limit + 1) fail('proof length', where);
  const c = proof.c.map((x, j) => parseHex(x, 64, `${where}.c[${j}]`));
  const v = proof.v.map((x, j) => parseHex(x, 64, `${where}.v[${j}]`));
  if (v.some((x) => x >= Q)) fail('5.C (v_j in Z_q)', where);
  const parts = [Uint8Array.of(0x21), bytesOf(K, 512), bytesOf(alpha, 512), bytesOf(beta, 512)];
  for (let j = 0; j <= limit; j++) {
    const a = (pow(G, v[j]) * pow(alpha, c[j])) % P;
    const b = (pow(K, mod(v[j] - BigInt(j) * c[j], Q)) * pow(beta, c[j])) % P;
    parts.push(bytesOf(a, 512), bytesOf(b, 512));
  }
  const challenge = BigInt('0x' + await hmac(H_E, parts));
  if (mod(c.reduce((s, x) => s + x, 0n), Q) !== mod(challenge, Q)) fail('5.D (challenges sum to c)', where);
}

/**
 * Checks a whole evote encrypted ballot (record format §3) against a manifest: every range proof, every limit
 * proof, every contest hash (eq. 57, 1-based contest index) and the confirmation code (eq. 58).
 */
export async function referenceVerifyBallot({ manifest, ballot, electionPublicKey, extendedBaseHash }) {
  const K = element(electionPublicKey, 'K');
  const H_E = extendedBaseHash;
  const hashes = [];
  for (const [i, contest] of ballot.contests.entries()) {
    const index = manifest.contests.findIndex((c) => c.label === contest.contest) + 1;
    const spec = manifest.contests[index - 1];
    if (!spec) fail('contest label', `contests[${i}]`);
    let alphaBar = 1n;
    let betaBar = 1n;
    const hashParts = [Uint8Array.of(0x23), bytesOf(BigInt(index), 4), bytesOf(K, 512)];
    for (const [j, selection] of contest.selections.entries()) {
      const where = `contests[${i}].selections[${j}]`;
      if (selection.option !== spec.options[j].label) fail('option order', where);
      const alpha = element(selection.alpha, `${where}.alpha`);
      const beta = element(selection.beta, `${where}.beta`);
      await referenceVerifyRange({ K, H_E, alpha, beta, proof: selection.proof, limit: spec.option_limit ?? 1, where });
      alphaBar = (alphaBar * alpha) % P;
      betaBar = (betaBar * beta) % P;
      hashParts.push(bytesOf(alpha, 512), bytesOf(beta, 512));
    }
    if (contest.selections.length !== spec.options.length) fail('option count', `contests[${i}]`);
    await referenceVerifyRange({
      K, H_E, alpha: alphaBar, beta: betaBar, proof: contest.limit_proof, limit: spec.votes_allowed,
      where: `contests[${i}].limit_proof`,
    });
    const chi = await hmac(H_E, hashParts);
    if (chi !== contest.contest_hash) fail('eq. 57 (contest hash)', `contests[${i}]`);
    hashes.push(hexBytes(chi));
  }
  const code = await hmac(H_E, [Uint8Array.of(0x24), ...hashes, hexBytes(ballot.aux)]);
  if (code !== ballot.confirmation_code) fail('eq. 58 (confirmation code)', 'confirmation_code');
}
