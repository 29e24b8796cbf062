// The AKA library: MILENAGE (TS 35.206), authentication vectors and SQN management (TS 33.102).
export * from './bytes.ts';
export * from './errors.ts';
export * from './milenage.ts';
export * from './sqn.ts';
export * from './usim.ts';
export * from './vectors.ts';
