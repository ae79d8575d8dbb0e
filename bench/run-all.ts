// Runs every benchmark in one process run: `npm run bench`.
await import("./parse-verify.js");
process.argv[2] = "ec-p256";
await import("./enroll.js");
