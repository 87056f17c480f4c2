// A custom Apache ECharts build with only what peacewatch draws (map, line, bar, scatter; tooltip,
// legend, grid, visual map, data zoom, aria; canvas renderer): 0.68 MB instead of the full 1.1 MB
// dist file, so the browser parses less before the first chart. Bundled by scripts/vendor_assets.sh.
import * as echarts from "echarts/core";
import { BarChart, LineChart, MapChart, ScatterChart } from "echarts/charts";
import { AriaComponent, DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
echarts.use([BarChart, LineChart, MapChart, ScatterChart, AriaComponent, DataZoomComponent, GridComponent,
             LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);
globalThis.echarts = echarts;
