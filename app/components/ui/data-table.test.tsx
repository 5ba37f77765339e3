import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable, defineColumns, type DataTableProps } from "~/components/ui/data-table";

type Story = { id: string; key: string; title: string; credits: number };

const columns = defineColumns<Story>((col) => [
  col.accessor("key", { header: "Key", meta: { rowHeader: true } }),
  col.accessor("title", { header: "Title" }),
  col.accessor("credits", {
    header: "Credits",
    meta: { align: "end" },
    cell: (info) => info.getValue().toLocaleString("en-US"),
  }),
  col.display({ id: "actions", header: "Actions", cell: () => <a href="#edit">Edit</a> }),
]);

const stories: Story[] = [
  { id: "s1", key: "PAY-412", title: "Retry webhooks", credits: 1200 },
  { id: "s2", key: "PAY-413", title: "Add audit log", credits: 300 },
  { id: "s3", key: "OPS-7", title: "Rotate keys", credits: 45 },
];

function render(props: Partial<DataTableProps<Story>> = {}) {
  const html = renderToString(
    <DataTable caption="Backlog" columns={columns} data={stories} getRowId={(s) => s.id} {...props} />,
  );
  // Parse just enough structure to assert on without a DOM.
  return { html, ths: tags(html, "th"), tds: tags(html, "td"), inputs: voidTags(html, "input"), text: textOf(html) };
}

function tags(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}>`, "g"))].map((m) => m[0]);
}
function voidTags(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*/?>`, "g"))].map((m) => m[0]);
}
function textOf(html: string): string {
  return html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

describe("DataTable (server render)", () => {
  it("renders a caption for screen readers, headers and formatted cells", () => {
    const { html, ths, text } = render();
    expect(html).toContain('<caption class="sr-only">Backlog</caption>');
    const colHeaders = ths.filter((th) => th.includes('scope="col"')).map(textOf);
    expect(colHeaders).toEqual(["Key", "Title", "Credits", "Actions"]);
    expect(text).toContain("Retry webhooks");
    expect(text).toContain("1,200");
    expect(html).toContain('<a href="#edit">Edit</a>');
  });

  it("renders row-header columns as th scope=row and applies alignment", () => {
    const { ths, tds } = render();
    const rowHeaders = ths.filter((th) => th.includes('scope="row"')).map(textOf);
    expect(rowHeaders).toEqual(["PAY-412", "PAY-413", "OPS-7"]);
    expect(tds.filter((td) => td.includes('class="align-end"')).map(textOf)).toEqual(["1,200", "300", "45"]);
  });

  it("keeps the server's row order by default", () => {
    const { text } = render({ sorting: [{ id: "credits", desc: false }], onSortingChange: () => {} });
    expect(text.indexOf("PAY-412")).toBeLessThan(text.indexOf("OPS-7"));
  });

  it("sorts and filters itself when processing is client", () => {
    const sorted = render({ processing: "client", sorting: [{ id: "credits", desc: false }] }).text;
    expect(sorted.indexOf("OPS-7")).toBeLessThan(sorted.indexOf("PAY-413"));
    expect(sorted.indexOf("PAY-413")).toBeLessThan(sorted.indexOf("PAY-412"));

    const filtered = render({ processing: "client", globalFilter: "audit" }).text;
    expect(filtered).toContain("Add audit log");
    expect(filtered).not.toContain("Retry webhooks");

    const byColumn = render({ processing: "client", columnFilters: [{ id: "key", value: "ops" }] }).text;
    expect(byColumn).toContain("Rotate keys");
    expect(byColumn).not.toContain("Add audit log");
  });

  it("marks sortable headers with aria-sort and renders them as buttons", () => {
    const { ths } = render({ sorting: [{ id: "credits", desc: true }], onSortingChange: () => {} });
    const byName = (name: string) => ths.find((th) => textOf(th).startsWith(name))!;
    expect(byName("Credits")).toContain('aria-sort="descending"');
    expect(byName("Key")).toContain('aria-sort="none"');
    expect(byName("Credits")).toMatch(/<button type="button" class="sort-button">/);
    // Display columns have no accessor, so they cannot sort and carry no aria-sort.
    expect(byName("Actions")).not.toContain("aria-sort");
    expect(byName("Actions")).not.toContain("<button");
  });

  it("renders sort links with the next sort state when sortHref is given", () => {
    const href = (next: { id: string; desc: boolean }[]) =>
      `?sort=${next.map((s) => `${s.id}.${s.desc ? "desc" : "asc"}`).join(",")}`;
    const { ths } = render({ sorting: [{ id: "title", desc: false }], sortHref: href });
    const byName = (name: string) => ths.find((th) => textOf(th).startsWith(name))!;
    expect(byName("Title")).toContain('aria-sort="ascending"');
    expect(byName("Title")).toContain('href="?sort=title.desc"');
    // Strings start ascending, numbers descending (the table's own first-direction rule).
    expect(byName("Key")).toContain('href="?sort=key.asc"');
    expect(byName("Credits")).toContain('href="?sort=credits.desc"');

    // Third step of the cycle removes the sort.
    const desc = render({ sorting: [{ id: "title", desc: true }], sortHref: href }).ths;
    expect(desc.find((th) => textOf(th).startsWith("Title"))).toContain('href="?sort="');
  });

  it("shows plain headers without aria-sort when sorting is not wired", () => {
    const { html } = render();
    expect(html).not.toContain("aria-sort");
    expect(html).not.toContain("sort-button");
  });

  it("shows the empty slot across all columns when there are no rows", () => {
    const { html, text } = render({ data: [], empty: <p className="empty-state">No stories yet.</p> });
    expect(html).toMatch(/<td colSpan="4"><p class="empty-state">No stories yet\.<\/p><\/td>/i);
    expect(text).toContain("Key Title Credits Actions");
    expect(html).not.toContain("PAY-412");
  });

  it("shows a default empty message and counts the selection column in colspan", () => {
    const { html } = render({ data: [], rowSelection: {}, onRowSelectionChange: () => {} });
    expect(html).toMatch(/<td colSpan="5">/i);
    expect(html).toContain("Nothing to show.");
    expect(html).toMatch(/<input type="checkbox" aria-label="Select all rows" disabled=""/);
  });

  it("renders no checkboxes unless selection is turned on", () => {
    expect(render().inputs).toHaveLength(0);
  });

  it("renders labelled, controlled selection checkboxes and a select-all", () => {
    const { inputs, html } = render({
      rowSelection: { s2: true },
      onRowSelectionChange: () => {},
      getRowLabel: (s) => `${s.key} ${s.title}`,
      canSelectRow: (s) => s.id !== "s3",
      selectionName: "storyId",
      selectionForm: "bulk",
    });
    expect(inputs).toHaveLength(4);
    const [all, first, second, third] = inputs;
    expect(all).toContain('aria-label="Select all rows"');
    expect(all).not.toContain("checked");
    expect(first).toContain('aria-label="Select PAY-412 Retry webhooks"');
    expect(first).toContain('name="storyId"');
    expect(first).toContain('form="bulk"');
    expect(first).toContain('value="s1"');
    expect(first).not.toContain("checked");
    expect(second).toContain('checked=""');
    expect(third).toContain('disabled=""');
    expect(html).toContain('<tr class="is-selected">');
    expect(html).toContain('<th scope="col" class="col-select">');
  });

  it("checks select-all when every row is selected", () => {
    const { inputs } = render({ rowSelection: { s1: true, s2: true, s3: true }, onRowSelectionChange: () => {} });
    expect(inputs[0]).toContain('checked=""');
  });

  it("falls back to the row id in checkbox labels", () => {
    const { inputs } = render({ rowSelection: {}, onRowSelectionChange: () => {} });
    expect(inputs[1]).toContain('aria-label="Select s1"');
  });
});
