// A stand-in k6 script so the golden stack does not change when the real scripts do.
export default function (): void {}
