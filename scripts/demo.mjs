// The main job. Until @hnvue/facade lands this runs the most complete flow that exists.
console.log('hnvue demo: foundation only (see README)');
