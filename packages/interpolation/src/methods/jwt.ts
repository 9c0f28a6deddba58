import { type JWTAlg, jwtParser, jwtSigner } from "../jwt.js";
import { typeError } from "../query-error.js";
import { inCategory, type MethodImpl, p, readStringMethod, simpleMethod } from "../registry.js";
import { isObject } from "../value.js";

const ALGS: readonly JWTAlg[] = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "ES512",
];

/** JSON Web Tokens: `parse_jwt_<alg>` and `sign_jwt_<alg>` for each algorithm. */
export function jwtMethods(): MethodImpl[] {
  return inCategory("JSON Web Tokens", [
    ...ALGS.map((alg) =>
      readStringMethod(
        `parse_jwt_${alg.toLowerCase()}`,
        p([{ name: "signing_secret", type: "string" }]),
        (args) => jwtParser(alg, args.str("signing_secret")),
      ),
    ),
    ...ALGS.map((alg) =>
      simpleMethod(
        `sign_jwt_${alg.toLowerCase()}`,
        p([
          { name: "signing_secret", type: "string" },
          { name: "headers", type: "any", optional: true },
        ]),
        (args) => {
          const sign = jwtSigner(alg, args.str("signing_secret"), args.get("headers") as never);
          return (v) => {
            if (!isObject(v)) throw typeError(v, "object");
            return sign(v);
          };
        },
      ),
    ),
  ]);
}
