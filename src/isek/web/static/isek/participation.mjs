// The idea form: choosing a place from the list puts it into the geometry field, which the map
// (map.mjs) shows and which is sent with the form. Without JavaScript the server takes the chosen
// place when no geometry was drawn.
const select = document.getElementById("id_place");
const target = document.getElementById("id_geometry");
if (select && target) {
  select.addEventListener("change", () => {
    if (!select.value) return;
    target.value = select.value;
    target.dispatchEvent(new Event("change"));
  });
}
