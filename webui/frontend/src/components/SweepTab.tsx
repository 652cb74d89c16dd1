import { useEffect, useState } from 'react';
import { Box } from '@mui/material';

import { asSweep } from '../sweep';
import type { SweepView } from '../wire';
import SweepPanel from './SweepPanel';

/** How often the live tab asks for the sweep's steps. */
export const SWEEP_POLL_MS = 2000;

/** The live Sweep tab: GET llm/sweep every two seconds, starting from the page's sweep. */
export function makeSweepTab(initial: SweepView, fetchSweep: () => Promise<unknown>) {
  return function SweepTab() {
    const [view, setView] = useState(initial);
    useEffect(() => {
      let live = true;
      const poll = () =>
        fetchSweep().then(
          v => live && setView(asSweep(v)),
          () => undefined, // the next poll tries again
        );
      poll();
      const timer = setInterval(poll, SWEEP_POLL_MS);
      return () => {
        live = false;
        clearInterval(timer);
      };
    }, []);
    return (
      <Box data-testid='sweep-tab' sx={{ pb: 4 }}>
        <SweepPanel view={view} />
      </Box>
    );
  };
}
