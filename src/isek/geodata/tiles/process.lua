-- isek's base map: which OpenStreetMap objects go into which vector-tile layer (tilemaker 2.x).
-- Seven layers, few attributes: enough to orient a planner's map (buildings, streets, water,
-- green, rail, place names), small enough to build a city in seconds.

node_keys = { "place" }

local ROAD_KIND = {
  motorway = "major", trunk = "major", primary = "major", motorway_link = "major", trunk_link = "major",
  primary_link = "major", secondary = "medium", tertiary = "medium", secondary_link = "medium",
  tertiary_link = "medium", residential = "minor", unclassified = "minor", living_street = "minor",
  service = "service", pedestrian = "path", footway = "path", cycleway = "path", path = "path",
  steps = "path", track = "path", bridleway = "path",
}
local ROAD_MINZOOM = { major = 10, medium = 11, minor = 12, service = 13, path = 13 }

local GREEN = {
  park = true, garden = true, playground = true, recreation_ground = true, grass = true, meadow = true,
  forest = true, wood = true, scrub = true, cemetery = true, allotments = true, village_green = true,
  heath = true, grave_yard = true, pitch = true,
}

local RAIL = { rail = true, light_rail = true, tram = true, subway = true, narrow_gauge = true }
local WATERWAY = { river = true, stream = true, canal = true, ditch = true, drain = true }
local PLACES = { city = 10, town = 10, suburb = 12, quarter = 13, neighbourhood = 14, village = 12, hamlet = 13 }

function init_function()
end

function exit_function()
end

function node_function(node)
  local place = node:Find("place")
  local minzoom = PLACES[place]
  if minzoom and node:Find("name") ~= "" then
    node:Layer("place", false)
    node:Attribute("kind", place)
    node:Attribute("name", node:Find("name"))
    node:MinZoom(minzoom)
  end
end

function way_function(way)
  local highway = way:Find("highway")
  local railway = way:Find("railway")
  local waterway = way:Find("waterway")
  local building = way:Find("building")
  local natural = way:Find("natural")
  local landuse = way:Find("landuse")
  local leisure = way:Find("leisure")
  local amenity = way:Find("amenity")
  local closed = way:IsClosed()

  if building ~= "" and closed then
    way:Layer("building", true)
    return
  end

  local kind = ROAD_KIND[highway]
  if kind then
    if way:Find("area") == "yes" and closed then
      return
    end
    way:Layer("road", false)
    way:Attribute("kind", kind)
    if way:Find("name") ~= "" then
      way:Attribute("name", way:Find("name"))
    end
    way:MinZoom(ROAD_MINZOOM[kind])
    return
  end

  if RAIL[railway] and way:Find("service") == "" then
    way:Layer("rail", false)
    way:Attribute("kind", railway)
    return
  end

  if WATERWAY[waterway] and not closed then
    way:Layer("waterway", false)
    way:Attribute("kind", waterway)
    return
  end

  if closed and (natural == "water" or waterway == "riverbank" or landuse == "reservoir" or landuse == "basin") then
    way:Layer("water", true)
    return
  end

  if closed then
    local green = GREEN[leisure] and leisure or (GREEN[landuse] and landuse or (GREEN[natural] and natural or nil))
    if amenity == "grave_yard" then
      green = "cemetery"
    end
    if green then
      way:Layer("green", true)
      way:Attribute("kind", green)
    end
  end
end
