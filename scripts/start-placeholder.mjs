// `npm start` will run the demo agent through the bridge (issue 4). Until it lands, say so plainly.
console.log('batch-bridge: the demo (`npm start`) is not built yet. Run `npm test` to see the library work end to end.');
