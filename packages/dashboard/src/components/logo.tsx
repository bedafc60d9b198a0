/** The keysmith mark: a key, drawn inline (no icon font, no request). */
export function Logo({ size = 20 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="logo">
      <circle cx="11" cy="16" r="7" fill="none" stroke="currentColor" strokeWidth="4" />
      <path d="M17 16h13M25 16v6M29 16v4" stroke="currentColor" strokeWidth="4" fill="none" />
    </svg>
  );
}
