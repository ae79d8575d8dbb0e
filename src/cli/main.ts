// lwcmp CLI entry point: wires the subcommands together.
console.log("lwcmp");
