import { encodeAccount, encodeOperator, encodeUser, fmtCreds, type OperatorLimits } from "@nats-io/jwt";
import { createAccount, createOperator, createUser } from "@nats-io/nkeys";
import type { AccountKeys, CreateUserOptions, NkeyUser, OperatorSetup, UserCredentials } from "./types.js";

const decoder = new TextDecoder();

/**
 * Every limit unlimited, JetStream included. nats-server 2.9 reads a missing limit as 0: without
 * `conn`/`subs` clients hang until their connect timeout, without the JetStream ones the account
 * has no JetStream.
 */
export const UNLIMITED_ACCOUNT_LIMITS: Readonly<OperatorLimits> = {
  conn: -1,
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

/** A fresh nkey user (not JWT): `publicKey` for `auth.nkeys`, `seed` for `nkeyAuthenticator`. */
export function createNkeyUser(): NkeyUser {
  const kp = createUser();
  return { publicKey: kp.getPublicKey(), seed: decoder.decode(kp.getSeed()) };
}

/**
 * Creates, without nsc, an operator, a system account (core limits only: the server refuses
 * JetStream there), an account with
 * {@link UNLIMITED_ACCOUNT_LIMITS} and a user of it, for
 * `startNatsServer({ auth: { operator } })` (memory resolver with every account preloaded).
 *
 * @example
 * const op = await createOperatorSetup();
 * const server = await startNatsServer({ auth: { operator: op } });
 * const nc = await connect({ servers: server.url, authenticator: credsAuthenticator(new TextEncoder().encode(op.user.creds)) });
 */
export async function createOperatorSetup(): Promise<OperatorSetup> {
  const okp = createOperator();
  const newAccount = async (name: string, system = false): Promise<AccountKeys> => {
    const akp = createAccount();
    // The server refuses to start when the system account has JetStream limits.
    const { mem_storage, disk_storage, streams, consumer, ...core } = UNLIMITED_ACCOUNT_LIMITS;
    const limits = system ? core : { ...UNLIMITED_ACCOUNT_LIMITS };
    const jwt = await encodeAccount(name, akp, { limits }, { signer: okp });
    return { name, publicKey: akp.getPublicKey(), seed: decoder.decode(akp.getSeed()), jwt };
  };
  const systemAccount = await newAccount("SYS", true);
  const operatorJwt = await encodeOperator("natskit-test-operator", okp, {
    system_account: systemAccount.publicKey,
  });
  const account = await newAccount("natskit");
  const extraAccounts: AccountKeys[] = [];
  let users = 0;

  const newUser = async (opts: CreateUserOptions = {}): Promise<UserCredentials> => {
    users += 1;
    const name = opts.name ?? `user-${users}`;
    const acc = opts.account ?? account;
    const ukp = createUser();
    const now = Math.floor(Date.now() / 1000);
    const exp = opts.expired
      ? now - 60
      : opts.expiresInSeconds !== undefined
        ? now + opts.expiresInSeconds
        : undefined;
    const p = opts.permissions;
    const claims: Parameters<typeof encodeUser>[3] = {};
    if (p?.publish) claims.pub = { allow: [...(p.publish.allow ?? [])], deny: [...(p.publish.deny ?? [])] };
    if (p?.subscribe)
      claims.sub = { allow: [...(p.subscribe.allow ?? [])], deny: [...(p.subscribe.deny ?? [])] };
    const jwt = await encodeUser(name, ukp, acc.seed, claims, exp === undefined ? {} : { exp });
    return {
      name,
      publicKey: ukp.getPublicKey(),
      seed: decoder.decode(ukp.getSeed()),
      jwt,
      creds: decoder.decode(fmtCreds(jwt, ukp)),
      account: acc.publicKey,
    };
  };

  const user = await newUser({ name: "natskit-user" });
  return {
    operator: { publicKey: okp.getPublicKey(), seed: decoder.decode(okp.getSeed()), jwt: operatorJwt },
    operatorJwt,
    systemAccount,
    account,
    extraAccounts,
    user,
    createUser: newUser,
    async createAccount(opts = {}) {
      const acc = await newAccount(opts.name ?? `account-${extraAccounts.length + 1}`);
      if (opts.register ?? true) extraAccounts.push(acc);
      return acc;
    },
  };
}
