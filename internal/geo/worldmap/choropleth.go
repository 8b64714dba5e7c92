package worldmap

// Datum is one country's value to map; OK is false when there is no data.
type Datum struct {
	Area, Name string
	Value      float64
	OK         bool
}

// Row is one country of a choropleth: its value, its class (an index of
// Classes; -1 without data) and whether the map draws it (false for the
// countries without a shape at 1:110m, which the table must still list).
type Row struct {
	Datum
	Class int
	Drawn bool
}

// Choropleth is the data of a world map: the classes and every country.
type Choropleth struct {
	Classification
	Rows []Row
}

// Choropleth classifies the values of data into k quantile classes
// (countries drawn or not: a small state's value counts as any other) and
// says which countries the map draws. Rows keep the order of data.
func (j Join) Choropleth(data []Datum, k int) Choropleth {
	var values []float64
	for _, d := range data {
		if d.OK {
			values = append(values, d.Value)
		}
	}
	c := Choropleth{Classification: Quantiles(values, k), Rows: make([]Row, len(data))}
	for i, d := range data {
		r := Row{Datum: d, Class: -1, Drawn: j.Drawn(d.Area)}
		if d.OK {
			r.Class = c.Index(d.Value)
		}
		c.Rows[i] = r
	}
	return c
}
