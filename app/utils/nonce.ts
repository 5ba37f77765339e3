import { createContext, useContext } from "react";

// The per-request Content-Security-Policy nonce for the inline scripts Remix writes. It reaches the
// document through React context (set in entry.server.tsx); in the browser it reads as "".
export const NonceContext = createContext<string | undefined>(undefined);
export const useNonce = () => useContext(NonceContext);
