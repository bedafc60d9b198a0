// Calls the weather API the way an API guide should teach: the key comes from an environment
// variable (never from source, argv or a log line) and travels as `Authorization: Bearer`.
//
//   WEATHER_API_KEY=… node client.js [forecast|alerts] [city]

const key = process.env.WEATHER_API_KEY;
const baseUrl = process.env.WEATHER_API_URL ?? "http://127.0.0.1:3000";
const [what = "forecast", city = "Berlin"] = process.argv.slice(2);

if (!key) {
  console.error("Set WEATHER_API_KEY to your weather API key (export it; don't type it into a command).");
  process.exit(2);
}
if (what !== "forecast" && what !== "alerts") {
  console.error("usage: node client.js [forecast|alerts] [city]");
  process.exit(2);
}

const url = new URL(`/${what}`, baseUrl);
url.searchParams.set("city", city);

let response;
try {
  response = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
} catch (error) {
  console.error(`Could not reach the weather API at ${baseUrl}: ${error.cause?.code ?? error.message}`);
  process.exit(1);
}
const body = await response.json().catch(() => null);

if (!response.ok) {
  // The API's error body names a code and a message; it never contains the key.
  const { code = "HTTP_ERROR", message = response.statusText } = body?.error ?? {};
  const retry = response.headers.get("retry-after");
  console.error(`${response.status} ${code}: ${message}${retry ? ` (retry in ${retry} s)` : ""}`);
  process.exit(1);
}

if (what === "forecast") {
  console.log(`Forecast for ${body.city}:`);
  for (const day of body.days) {
    console.log(`  ${day.date}  ${day.lowC}–${day.highC} °C  rain ${day.rainMm} mm`);
  }
} else {
  console.log(body.alerts.length ? `Alerts for ${body.city}:` : `No alerts for ${body.city}.`);
  for (const alert of body.alerts) console.log(`  ${alert.date}  ${alert.warning}`);
}
const remaining = response.headers.get("ratelimit");
if (remaining) console.log(`(rate limit: ${remaining})`);
