/** A private profile as it is (or is about to be) revealed: one label and value per filled-in field. */
export function ProfileList({ entries, class: className }: { entries: { label: string; value: string }[]; class?: string }) {
  return (
    <dl class={className}>
      {entries.map((e) => (
        <div key={e.label}>
          <dt>{e.label}</dt>
          <dd>{e.value}</dd>
        </div>
      ))}
    </dl>
  );
}
